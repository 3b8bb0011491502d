// The page frame every view shares: header with the live connection badge and navigation.

import type { ComponentChildren } from "preact";
import { renderToString } from "preact-render-to-string";
import ConnectionBadge from "../islands/ConnectionBadge.tsx";
import AlertBanner from "../islands/AlertBanner.tsx";
import AlertToggles from "../islands/AlertToggles.tsx";
import { Island } from "./island.tsx";
import { DbBanner } from "./db_notice.tsx";
import type { DbHealth } from "../../core/db_health.ts";
import { islandsScript, styleSheet } from "../assets.gen.ts";

/** Inline so the browser never asks for /favicon.ico (the CSP allows data: images). */
const favicon = "data:image/svg+xml," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#c2571a"/><path d="M4 11l3-6 2 4 1-2 2 4" stroke="#fff" fill="none" stroke-width="1.5"/></svg>',
  );

const nav = [
  { href: "/", label: "Overview" },
  { href: "/sessions", label: "Sessions" },
  { href: "/events", label: "Events" },
  { href: "/tools", label: "Tools" },
  { href: "/usage", label: "Usage" },
  { href: "/alerts", label: "Alerts" },
  { href: "/health", label: "Health" },
  { href: "/settings", label: "Settings" },
];

export interface PageProps {
  title: string;
  path: string;
  /** Query string for the page's live stream (the page's filters). */
  stream?: string;
  /** The page's JSON twin under /api, offered as an alternate link. */
  json?: string;
  /** Newest stored event id when the page was rendered: the live stream resumes after it. */
  lastEventId?: number;
  /** The app's CSRF token, sent back in X-CSRF-Token by the page's state-changing calls. */
  csrfToken: string;
  /** The database's health: a banner under the header while it is not ok. */
  db?: DbHealth | null;
  children: ComponentChildren;
}

function Layout({ title, path, stream, json, lastEventId, csrfToken, db, children }: PageProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title} · claude-dash</title>
        <meta name="csrf-token" content={csrfToken} />
        <link rel="icon" href={favicon} />
        <link rel="stylesheet" href={styleSheet} />
        <script type="module" src={islandsScript} defer></script>
        {json ? <link rel="alternate" type="application/json" href={json} /> : null}
      </head>
      <body data-stream={stream ?? ""} data-last-id={lastEventId}>
        <header class="top">
          <a class="brand" href="/">claude-dash</a>
          <nav aria-label="main">
            {nav.map((n) => (
              <a
                href={n.href}
                aria-current={n.href === path || (n.href !== "/" && path.startsWith(n.href + "/"))
                  ? "page"
                  : undefined}
              >
                {n.label}
              </a>
            ))}
          </nav>
          <Island name="AlertToggles" component={AlertToggles} props={{}} />
          <Island name="ConnectionBadge" component={ConnectionBadge} props={{}} />
        </header>
        <Island name="AlertBanner" component={AlertBanner} props={{}} />
        <DbBanner db={db} />
        <main>{children}</main>
      </body>
    </html>
  );
}

/** Renders a full HTML document. */
export function renderPage(props: PageProps): string {
  return "<!doctype html>" + renderToString(<Layout {...props} />);
}
