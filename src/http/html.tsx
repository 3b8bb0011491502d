// Rendering a page from a route: the layout gets the app's CSRF token here, so route modules
// only say what the page is. Also the content negotiation and the not-found and bad-request
// pages they share.

import type { Context } from "hono";
import type { RouteDeps } from "./deps.ts";
import { type PageProps, renderPage } from "../web/components/layout.tsx";

/** The page's props without the token and the database's health, which come from the app. */
export type PageOptions = Omit<PageProps, "csrfToken" | "db">;

/** A full HTML response for the page. */
export function htmlPage(
  c: Context,
  deps: RouteDeps,
  page: PageOptions,
  status: 200 | 400 | 404 = 200,
) {
  const db = deps.dbHealth?.snapshot() ?? null;
  return c.html(renderPage({ ...page, csrfToken: deps.csrfToken, db }), status);
}

/** HTML for browsers that ask for it; JSON for everything else (and for ?format=json). */
export function wantsHtml(c: Context): boolean {
  const accept = c.req.header("Accept") ?? "";
  return accept.includes("text/html") && c.req.query("format") !== "json";
}

/** The 404 page, with links back to the lists. */
export function notFoundPage(c: Context, deps: RouteDeps, message: string) {
  return htmlPage(c, deps, {
    title: "Not found",
    path: c.req.path,
    children: (
      <section class="panel">
        <h1>Not found</h1>
        <p>{message}</p>
        <p>
          <a href="/sessions">All sessions</a> · <a href="/">Overview</a>
        </p>
      </section>
    ),
  }, 404);
}

/** Whether an error on this request is answered as a page: a browser asking for a page, not /api. */
export function wantsErrorPage(c: Context): boolean {
  const path = c.req.path;
  return path !== "/api" && !path.startsWith("/api/") && wantsHtml(c);
}

/** The 400 page: what was wrong with the address, and the same page without its parameters. */
export function badRequestPage(c: Context, deps: RouteDeps, message: string) {
  const path = c.req.path;
  return htmlPage(c, deps, {
    title: "Bad request",
    path,
    children: (
      <section class="panel" id="bad-request">
        <h1>This address cannot be shown</h1>
        <p id="bad-request-message">{message}</p>
        <p>
          <a href={path} id="bad-request-back">{path} without these parameters</a> ·{" "}
          <a href="/">Overview</a>
        </p>
      </section>
    ),
  }, 400);
}
