// A session seen only through hooks has no assistant message, so its tokens and cost are
// unknown: every view that shows them (the sessions table, the overview's board, the session's
// header) says "–", never "$0" or 0 tokens; a session with usage still shows its figures.

import assert from "node:assert/strict";
import { json, openTestApp, text } from "./support/app.ts";
import { seedIds } from "./support/seed.ts";
import { compact, sessionCost, sessionTokens, totalTokens, usd } from "../../src/core/format.ts";
import type { SessionSummary } from "../../src/core/types.ts";

const { hookSession, transcriptSession } = seedIds;

const none = {
  input_tokens: 0,
  output_tokens: 0,
  cache_creation_tokens: 0,
  cache_read_tokens: 0,
  cost_usd: 0,
};

Deno.test("no tokens reported means unknown usage: '–', not $0 or 0", () => {
  assert.equal(sessionTokens(none), "–");
  assert.equal(sessionCost(none), "–");
  const used = { ...none, input_tokens: 1200, output_tokens: 300, cost_usd: 0.0081 };
  assert.equal(sessionTokens(used), "1.5k");
  assert.equal(sessionCost(used), "$0.0081");
  assert.equal(sessionCost({ ...used, cost_usd: null }), "unknown", "unpriced stays unknown");
  // A priced session that cost nothing rounds to $0 but is known.
  assert.equal(sessionCost({ ...used, cost_usd: 0 }), "$0");
});

/** The HTML of the table row that carries this session id. */
function rowOf(page: string, sessionId: string): string {
  const m = page.match(new RegExp(`<tr[^>]*data-session-id="${sessionId}"[\\s\\S]*?</tr>`));
  assert.ok(m, `a row for ${sessionId}`);
  return m[0];
}

/** The tokens cell's text and the cost cell's text in a table row. */
function figures(row: string): { tokens: string; cost: string } {
  const cells = [...row.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1].trim());
  // Tokens and cost are the two cells before the last-activity time in a table row.
  return { tokens: cells[cells.length - 3], cost: cells[cells.length - 2] };
}

Deno.test("a hook-only session shows – for tokens and cost on /sessions, the overview and its page; one with usage shows its cost", async () => {
  await using t = await openTestApp();
  const sessions = (await json(await t.get("/api/sessions"))).sessions as SessionSummary[];
  const hook = sessions.find((s) => s.session_id === hookSession)!;
  const tr = sessions.find((s) => s.session_id === transcriptSession)!;
  assert.equal(totalTokens(hook), 0, "the seeded hook session reported no usage");
  const trCost = usd(tr.cost_usd);
  const trTokens = compact(totalTokens(tr));
  assert.notEqual(trCost, "$0");

  for (const path of ["/sessions", "/"]) {
    const page = await text(await t.get(path, "text/html"));
    assert.deepEqual(figures(rowOf(page, hookSession)), { tokens: "–", cost: "–" }, path);
    assert.deepEqual(figures(rowOf(page, transcriptSession)), { tokens: trTokens, cost: trCost });
  }

  const header = (html: string) => {
    const dl = html.match(
      /<dt>Tokens<\/dt>\s*<dd[^>]*>([^<]*)<\/dd>[\s\S]*?<dt>Cost<\/dt>\s*<dd[^>]*>([^<]*)<\/dd>/,
    );
    assert.ok(dl, "the header lists tokens and cost");
    return { tokens: dl[1].trim(), cost: dl[2].trim() };
  };
  const hookPage = await text(await t.get(`/sessions/${hookSession}`, "text/html"));
  assert.deepEqual(header(hookPage), { tokens: "–", cost: "–" });
  const trPage = await text(await t.get(`/sessions/${transcriptSession}`, "text/html"));
  assert.deepEqual(header(trPage), { tokens: trTokens, cost: trCost });
});
