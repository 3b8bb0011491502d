// The README's "Pages" table is how a reader finds the dashboard's pages: every page the app
// serves is a row of it, and every other URL the app answers is named somewhere in the README,
// so a new page or endpoint without its line fails here.

import assert from "node:assert/strict";
import { join } from "node:path";
import { openTestApp, routeKeys } from "./support/app.ts";

const readme = Deno.readTextFileSync(join(import.meta.dirname!, "../../README.md"));

/** The text of a "## name" section, up to the next "## ". */
function section(name: string): string {
  const start = readme.indexOf(`\n## ${name}\n`);
  assert.ok(start >= 0, `the README has a "## ${name}" section`);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** "/api/events/:id{[0-9]+}" → "/api/events/:id". */
const plain = (path: string) => path.replace(/\{[^}]*\}/g, "");

Deno.test("the README's page table lists every page the app serves, and the README names every other URL", async () => {
  await using t = await openTestApp({ seed: false });
  const routes = routeKeys(t.app)
    .map((k) => {
      const [method, path] = k.split(" ");
      return { method, path: plain(path) };
    })
    .filter((r) => r.path !== "/static/:name");
  const isPage = (r: { method: string; path: string }) =>
    r.method === "GET" && !r.path.startsWith("/api") && r.path !== "/metrics";

  const pageRows = new Set(
    [...section("Pages").matchAll(/^\| `(\/[^`]*)` +\|/gm)].map((m) => m[1]),
  );
  const pages = routes.filter(isPage).map((r) => r.path);
  assert.ok(pages.includes("/alerts") && pages.includes("/settings"), pages.join());
  assert.deepEqual(pages.filter((p) => !pageRows.has(p)), [], "pages missing from the table");

  const escaped = (p: string) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const named = (p: string) => new RegExp("`(?:GET |POST )?" + escaped(p) + "[`?\\s]").test(readme);
  const unnamed = routes.filter((r) => !isPage(r) && !named(r.path)).map((r) => r.path);
  assert.deepEqual(unnamed, [], "URLs the README never names");
});
