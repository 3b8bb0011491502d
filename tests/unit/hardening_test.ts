// Small hardening points of issue 17: edge-of-range times are a 400 (never a 500), refusals
// carry the security headers, far-future timestamps do not keep a session running first, and
// prefix searches too broad to answer quickly ask the user to refine them.

import assert from "node:assert/strict";
import { join } from "node:path";
import { json, openTestApp, routeKeys } from "./support/app.ts";
import { Ingester } from "../../src/ingest/ingester.ts";
import { sessionById } from "../../src/store/read/sessions.ts";
import { futureSlackMs } from "../../src/store/write/session_delta.ts";
import { runningWindowMs } from "../../src/core/config.ts";

const t = await openTestApp();
globalThis.addEventListener("unload", () => t[Symbol.asyncDispose]());

/** A concrete path for a route pattern: ids become a seeded session or event id. */
function concrete(path: string, sessionId: string): string {
  return path
    .replace(/:id\{[^}]+\}/, "1")
    .replace(":id", sessionId)
    .replace(":name", "style.css");
}

// Date holds ±8.64e15 ms; values at (or past) that edge threw inside routes and answered 500.
const outOfRange = [
  "8640000000000000",
  "8640000000000001",
  "99999999999999999999",
  "+275760-09-13T00:00:00.000Z",
  "-271821-04-20T00:00:00.000Z",
  "+010000-01-01T00:00:00.000Z",
];

Deno.test("an out-of-range since or until is a 400 with a message on every route that takes one, never a 500", async () => {
  const sessionId = t.db.prepare("SELECT session_id FROM sessions LIMIT 1").get()!
    .session_id as string;
  const gets = routeKeys(t.app).filter((k) => k.startsWith("GET ")).map((k) => k.slice(4))
    .filter((p) => !p.endsWith("/ws"));
  const refused = new Set<string>();
  for (const route of gets) {
    for (const name of ["since", "until"]) {
      for (const value of outOfRange) {
        for (const accept of ["application/json", "text/html"]) {
          const path = `${concrete(route, sessionId)}?${name}=${encodeURIComponent(value)}`;
          const res = await t.get(path, accept);
          const body = await res.text();
          assert.notEqual(
            res.status,
            500,
            `${path} (${accept}) answered 500: ${body.slice(0, 200)}`,
          );
          if (res.status === 400) {
            refused.add(route);
            assert.match(body, new RegExp(`${name} must be`), `${path}: ${body.slice(0, 200)}`);
          }
        }
      }
    }
  }
  // The routes that read a time range refuse it (the five that answered 500 among them).
  for (
    const r of ["/api/events", "/events", "/api/sessions", "/sessions", "/api/kpis", "/api/stream"]
  ) {
    assert.ok(refused.has(r), `${r} accepted an out-of-range time`);
  }
});

Deno.test("the first and last instants of years 0000 to 9999 are accepted as since/until", async () => {
  const res = await t.get("/api/events?since=0000-01-01T00:00:00Z&until=9999-12-31T23:59:59.999Z");
  assert.equal(res.status, 200, await res.text());
});

const securityHeaders = [
  "Content-Security-Policy",
  "X-Content-Type-Options",
  "Referrer-Policy",
  "X-Frame-Options",
];

Deno.test("a 421 for a foreign Host and a 403 for a foreign Origin carry the security headers", async () => {
  const ok = await t.get("/api/health");
  await ok.body?.cancel();
  const misdirected = await t.request("/api/health", { headers: { Host: "evil.example" } });
  assert.equal(misdirected.status, 421);
  await misdirected.body?.cancel();
  const foreign = await t.request("/api/settings", {
    method: "POST",
    headers: { Origin: "http://evil.example", "Content-Type": "application/json" },
    body: "{}",
  });
  assert.equal(foreign.status, 403);
  await foreign.body?.cancel();
  for (const h of securityHeaders) {
    assert.ok(ok.headers.get(h), `${h} missing on a 200`);
    assert.equal(misdirected.headers.get(h), ok.headers.get(h), `${h} on the 421`);
    assert.equal(foreign.headers.get(h), ok.headers.get(h), `${h} on the 403`);
  }
});

Deno.test("a search of many prefix terms is refused with a 'refine your search' 400, on /api/search and /events", async () => {
  const many = Array.from({ length: 32 }, (_, i) => `${"abcdefghijklmnopqrstuvwxyz"[i % 26]}*`)
    .join(" ");
  for (const path of ["/api/search", "/api/events", "/events"]) {
    const res = await t.get(
      `${path}?q=${encodeURIComponent(many)}`,
      path === "/events" ? "text/html" : "application/json",
    );
    const body = await res.text();
    assert.equal(res.status, 400, `${path}: ${body.slice(0, 200)}`);
    assert.match(body, /too many prefix terms \(word\*\): at most 4, got 32; refine your search/);
  }
});

Deno.test("more than one short prefix is refused; one short prefix, or a few long ones, are searched", async () => {
  const short = await t.get(`/api/search?q=${encodeURIComponent("a* bc* deploy")}`);
  assert.equal(short.status, 400);
  assert.match(
    (await short.json()).error,
    /2 prefixes shorter than 3 characters \(a\*, bc\*\); at most 1 is allowed: refine your search/,
  );
  for (const q of ["a* deploy", "gre* sess* tool* cach*", '"src/ma"* read*']) {
    const res = await t.get(`/api/search?q=${encodeURIComponent(q)}`);
    assert.equal(res.status, 200, `${q}: ${await res.clone().text()}`);
    await res.body?.cancel();
  }
});

Deno.test("a line dated 9999-12-31 counts as at most a day ahead for its session; the event keeps its time", async () => {
  const sid = "unit-future-0001";
  const ts = "9999-12-31T23:59:59.000Z";
  await Deno.writeTextFile(
    join(t.claudeDir, `hooks/logs/raw_json/99991231_235959_000000_UserPromptSubmit_${sid}.json`),
    JSON.stringify({
      session_id: sid,
      cwd: "/work/future",
      timestamp: ts,
      hook_event_name: "UserPromptSubmit",
      prompt: "from the far future",
    }),
  );
  const before = Date.now();
  const ingester = new Ingester({
    claudeDir: t.claudeDir,
    db: t.db,
    watch: false,
    transcriptRoots: [],
    scratchDir: join(t.dbPath, "../../scratch-future"),
  });
  ingester.start();
  await ingester.ready;
  await ingester.stop();
  const after = Date.now();

  const s = await json<{ last_ts: string; first_ts: string; events: Array<{ ts: string }> }>(
    await t.get(`/api/sessions/${sid}`),
  );
  const last = Date.parse(s.last_ts);
  assert.ok(last >= before + futureSlackMs && last <= after + futureSlackMs, s.last_ts);
  assert.ok(Date.parse(s.first_ts) <= last);
  assert.equal(s.events[0].ts, ts, "the event itself keeps the time it was written with");

  // Running now (it is "a day ahead" at most), but no longer once that day has passed.
  const later = after + futureSlackMs + runningWindowMs + 1;
  assert.notEqual(sessionById(t.db, sid, later)?.status, "running");
});
