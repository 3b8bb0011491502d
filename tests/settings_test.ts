// Settings, actions, retention, price overrides and export, on a real server spawned under the
// start task's flags (127.0.0.1, a free port) over a temporary HOME: settings round-trip and survive a restart; a bad patch or a POST
// without the CSRF token / from another Origin changes nothing; rescan, pause/resume and
// vacuum act; retention deletes only old rows of claude-dash's own database and leaves the
// source files byte-identical; overrides re-price stored usage exactly as a fresh ingest
// would; exports contain exactly the filtered events, RFC 4180-quoted and masked.

import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { openDb } from "../src/store/db.ts";
import { writeSettings } from "../src/store/settings.ts";
import { defaultSettings } from "../src/core/settings_schema.ts";
import { builtInPriceOf, overridePrice, pricer } from "../src/core/pricing.ts";
import { parseSearch } from "../src/store/read/search_query.ts";
import { maskSecrets } from "../src/core/secrets.ts";
import {
  csvColumns,
  csvField,
  csvLine,
  exportEventsStream,
  exportFilename,
} from "../src/domain/export.ts";
import { makeHome, writeFixtures, writeHook } from "./support/home.ts";
import { type Served, serveReady } from "./support/served.ts";
import { assistantLine, transcriptPath, writeTranscript } from "./support/usage_lines.ts";
import { reconcileIntervalMs } from "../src/core/config.ts";
import { count } from "./support/wait.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const dayMs = 24 * 3600_000;

/** The CSRF token the dashboard embeds in its pages. */
async function pageToken(url: string): Promise<string> {
  const html = await (await fetch(`${url}/settings`)).text();
  const token = html.match(/<meta name="csrf-token" content="([^"]+)"/)?.[1];
  assert.ok(token, "the settings page embeds a csrf-token");
  return token;
}

/** A POST the way the page makes it, unless `headers` says otherwise (null removes one). */
async function post(
  url: string,
  path: string,
  body: unknown = {},
  headers: Record<string, string | null> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const h: Record<string, string> = {
    Origin: url,
    "Content-Type": "application/json",
    "X-CSRF-Token": await pageToken(url),
  };
  for (const [k, v] of Object.entries(headers)) {
    if (v === null) delete h[k];
    else h[k] = v;
  }
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: h,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function getSettings(url: string) {
  const res = await fetch(`${url}/api/settings`);
  assert.equal(res.status, 200);
  return await res.json();
}

/** Every file under the Claude folder except claude-dash's own: path → size, mtime, SHA-256. */
async function sourceTree(claudeDir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const path = join(dir, e.name);
      const rel = relative(claudeDir, path);
      if (rel === "claude-dash") continue;
      if (e.isDirectory) await walk(path);
      else {
        const bytes = await Deno.readFile(path);
        const st = await Deno.stat(path);
        const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
        out.set(
          rel,
          `${st.size} ${st.mtime?.getTime()} ${
            [...hash].map((b) => b.toString(16).padStart(2, "0")).join("")
          }`,
        );
      }
    }
  };
  await walk(claudeDir);
  return out;
}

/** RFC 4180 records (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"' && field === "") {
      quoted = true;
      i++;
    } else if (c === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += 2;
    } else {
      field += c;
      i++;
    }
  }
  assert.equal(field + row.join(""), "", "the CSV ends with CRLF");
  return rows;
}

// ---- settings ----

Deno.test(
  "settings saved through POST /api/settings are read back and survive a restart",
  opts,
  async () => {
    const home = await makeHome();
    let d = await serveReady(home);
    try {
      const initial = await getSettings(d.url);
      assert.deepEqual(initial.settings, defaultSettings());
      assert.equal(initial.rules.length, Object.keys(defaultSettings().alerts).length);
      const patch = {
        alerts: { failure_streak: { threshold: 5 }, error_rate: { enabled: false } },
        retention_days: null,
        window_token_limit: 2_000_000,
        window_cost_limit_usd: 12.5,
        prices: { "my-proxy-model": { input: 2, output: 8 } },
      };
      const saved = await post(d.url, "/api/settings", patch);
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      const expected = structuredClone(defaultSettings());
      expected.alerts.failure_streak.threshold = 5;
      expected.alerts.error_rate.enabled = false;
      expected.window_token_limit = 2_000_000;
      expected.window_cost_limit_usd = 12.5;
      expected.prices = { "my-proxy-model": { input: 2, output: 8 } };
      assert.deepEqual(saved.body.settings, expected);
      assert.deepEqual((await getSettings(d.url)).settings, expected);

      await d.stop();
      d = await serveReady(home);
      assert.deepEqual((await getSettings(d.url)).settings, expected, "after a restart");
      // The override is in force again after the restart, for ingest too: a million input
      // tokens of a model it matches (longest prefix) cost $2.
      await writeTranscript(
        transcriptPath(home.claudeDir, "ses-proxy"),
        assistantLine({
          sessionId: "ses-proxy",
          ts: Date.now() - 60_000,
          messageId: "msg_proxy",
          requestId: "req_proxy",
          model: "my-proxy-model-v2",
          input: 1_000_000,
          output: 0,
          cacheCreation: 0,
          cacheRead: 0,
        }),
      );
      await d.settled();
      assert.deepEqual(
        d.db.prepare("SELECT model, cost_usd FROM messages").all().map((r) => ({ ...r })),
        [{ model: "my-proxy-model-v2", cost_usd: 2 }],
      );
      // A later patch changes only what it names.
      assert.equal((await post(d.url, "/api/settings", { window_token_limit: null })).status, 200);
      const after = (await getSettings(d.url)).settings;
      assert.equal(after.window_token_limit, null);
      assert.equal(after.alerts.failure_streak.threshold, 5);
      assert.equal(after.window_cost_limit_usd, 12.5);
    } finally {
      await d.stop();
      await home.cleanup();
    }
  },
);

Deno.test(
  "a bad settings patch is refused with 400 and its reason, and nothing is stored",
  opts,
  async () => {
    const home = await makeHome();
    const d = await serveReady(home);
    try {
      // The reason names the field as the settings page does; `field` is its path in the patch.
      const bad: Array<[unknown, RegExp, string | null]> = [
        [
          { alerts: { no_such_rule: { enabled: true } } },
          /unknown alert rule/,
          "alerts.no_such_rule",
        ],
        [
          { alerts: { failure_streak: { threshold: 0 } } },
          /^Tool failures in a row in one session: the threshold must be a number ≥ 1/,
          "alerts.failure_streak.threshold",
        ],
        [
          { alerts: { failure_streak: { threshold: null } } },
          /must be a number/,
          "alerts.failure_streak.threshold",
        ],
        [{ alerts: { waiting: { enabled: "yes" } } }, /true or false/, "alerts.waiting.enabled"],
        // One good key does not get stored when another is bad: the patch is taken whole or not.
        [
          { alerts: { failure_streak: { threshold: 4 } }, retention_days: 0 },
          /^Retention: /,
          "retention_days",
        ],
        [{ retention_days: 1.5 }, /^Retention: .*whole number/, "retention_days"],
        [{ window_cost_limit_usd: -1 }, /USD per window/, "window_cost_limit_usd"],
        [
          { prices: { "claude-x": { input: "3", output: 15 } } },
          /numeric input and output/,
          "prices.claude-x.input",
        ],
        [{ prices: { "bad key!": { input: 3, output: 15 } } }, /not a model id/, "prices.bad key!"],
        [{ colour: "blue" }, /unknown setting/, "colour"],
        [[1, 2], /JSON object/, null],
        ["{not json", /JSON object/, null],
      ];
      for (const [body, reason, field] of bad) {
        const r = await post(d.url, "/api/settings", body);
        assert.equal(r.status, 400, `${JSON.stringify(body)} → ${r.status}`);
        assert.match(String(r.body.error), reason, JSON.stringify(body));
        assert.doesNotMatch(String(r.body.error), /[a-z]+_[a-z_]+\./, "no internal key paths");
        assert.equal(r.body.field, field, JSON.stringify(body));
      }
      assert.equal(count(d.db, "SELECT count(*) AS n FROM settings"), 0);
      assert.deepEqual((await getSettings(d.url)).settings, defaultSettings());
    } finally {
      await d.stop();
      await home.cleanup();
    }
  },
);

Deno.test(
  "a POST without the CSRF token or from another Origin is refused (403) and changes nothing",
  opts,
  async () => {
    const home = await makeHome();
    const d = await serveReady(home);
    try {
      const routes: Array<[string, unknown]> = [
        ["/api/settings", { alerts: { failure_streak: { threshold: 9 } }, retention_days: 1 }],
        ["/api/actions/pause", {}],
        ["/api/actions/resume", {}],
        ["/api/actions/rescan", {}],
        ["/api/actions/vacuum", {}],
      ];
      // The reconcile scan also runs on its own every reconcileIntervalMs: a rescan let through
      // by the guard would show as more scans than the time taken allows.
      const scansBefore = (await d.ingest()).scans;
      const t0 = performance.now();
      for (const [path, body] of routes) {
        const cases: Array<[string, Record<string, string | null>]> = [
          ["no token", { "X-CSRF-Token": null }],
          ["a wrong token", { "X-CSRF-Token": "x".repeat(43) }],
          ["another Origin", { Origin: "http://evil.example" }],
          ["another port of this host", { Origin: "http://127.0.0.1:1" }],
          ["no Origin", { Origin: null }],
        ];
        for (const [what, headers] of cases) {
          const r = await post(d.url, path, body, headers);
          assert.equal(r.status, 403, `${path} with ${what}: ${r.status}`);
          assert.match(String(r.body.error), /refused/);
        }
      }
      assert.equal(count(d.db, "SELECT count(*) AS n FROM settings"), 0, "no setting stored");
      assert.deepEqual((await getSettings(d.url)).settings, defaultSettings());
      const ingest = await d.ingest();
      const periodic = Math.ceil((performance.now() - t0) / reconcileIntervalMs) + 1;
      assert.equal(ingest.paused, false, "ingest not paused");
      assert.ok(ingest.scans - scansBefore <= periodic, "no rescan ran");
      // The same request with the page's token and Origin goes through.
      const ok = await post(d.url, "/api/settings", routes[0][1]);
      assert.equal(ok.status, 200);
      assert.equal((await getSettings(d.url)).settings.alerts.failure_streak.threshold, 9);
    } finally {
      await d.stop();
      await home.cleanup();
    }
  },
);

Deno.test(
  "rescan, pause/resume and vacuum act on the ingester and the database",
  opts,
  async () => {
    const home = await makeHome();
    const d = await serveReady(home);
    try {
      const sid = "ses-actions";
      await writeHook(home.claudeDir, {
        cwd: "/tmp/settings-test",
        hook_event_name: "UserPromptSubmit",
        session_id: sid,
        prompt: "one",
      });
      const r1 = await post(d.url, "/api/actions/rescan");
      assert.equal(r1.status, 200, JSON.stringify(r1.body));
      assert.equal(count(d.db, `SELECT count(*) AS n FROM events WHERE session_id = '${sid}'`), 1);

      const paused = await post(d.url, "/api/actions/pause");
      assert.deepEqual([paused.status, paused.body.paused], [200, true]);
      assert.equal((await d.ingest()).paused, true);
      assert.equal(
        (await (await fetch(`${d.url}/api/settings`)).json()).ingest.paused,
        true,
        "the settings API shows the ingest state",
      );
      assert.match(await (await fetch(`${d.url}/settings`)).text(), /data-state="paused"/);
      const refused = await post(d.url, "/api/actions/rescan");
      assert.equal(refused.status, 409);
      assert.match(String(refused.body.error), /paused/);

      await writeHook(home.claudeDir, {
        cwd: "/tmp/settings-test",
        hook_event_name: "UserPromptSubmit",
        session_id: sid,
        prompt: "two",
      });
      const resumed = await post(d.url, "/api/actions/resume");
      assert.deepEqual([resumed.status, resumed.body.paused], [200, false]);
      assert.equal((await post(d.url, "/api/actions/rescan")).status, 200);
      assert.equal(count(d.db, `SELECT count(*) AS n FROM events WHERE session_id = '${sid}'`), 2);

      const v = await post(d.url, "/api/actions/vacuum");
      assert.equal(v.status, 200, JSON.stringify(v.body));
      const before = v.body.bytes_before as number;
      const after = v.body.bytes_after as number;
      assert.ok(before > 0 && after > 0 && after <= before, `${before} → ${after}`);
      assert.match(String(v.body.message), /vacuumed/);
      assert.equal(
        (d.db.prepare("PRAGMA integrity_check").get() as { integrity_check: string })
          .integrity_check,
        "ok",
      );
    } finally {
      await d.stop();
      await home.cleanup();
    }
  },
);

// ---- retention ----

Deno.test(
  "retention deletes only rows older than the cutoff, keeps the cursors and leaves the source files untouched",
  opts,
  async () => {
    const home = await makeHome();
    await writeFixtures(home.claudeDir); // 2025 data: older than 30 days
    let d = await serveReady(home);
    try {
      const fresh = "ses-retention-fresh";
      await writeHook(home.claudeDir, {
        cwd: "/tmp/settings-test",
        hook_event_name: "UserPromptSubmit",
        session_id: fresh,
        prompt: "recent work",
      });
      await d.settled();
      const db = d.db;
      const n = (sql: string) => count(db, sql);
      const eventsBefore = n("SELECT count(*) AS n FROM events");
      const filesBefore = n("SELECT count(*) AS n FROM files");
      assert.ok(
        n("SELECT count(*) AS n FROM messages") > 0 &&
          n("SELECT count(*) AS n FROM tool_calls") > 0,
      );
      const tree = await sourceTree(home.claudeDir);

      const r = await post(d.url, "/api/settings", { retention_days: 30 });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const ret = r.body.retention as Record<string, number>;
      const cutoff = ret.cutoff;
      assert.ok(Math.abs(cutoff - (Date.now() - 30 * dayMs)) < 60_000);
      const kept = n("SELECT count(*) AS n FROM events");
      assert.equal(ret.events + kept, eventsBefore);
      assert.ok(ret.events > 1000 && kept >= 1, `${ret.events} deleted, ${kept} kept`);
      assert.ok(ret.messages > 0 && ret.tool_calls > 0 && ret.sessions > 0);

      assert.equal(n(`SELECT count(*) AS n FROM events WHERE ts < ${cutoff}`), 0);
      assert.equal(n(`SELECT count(*) AS n FROM messages WHERE ts < ${cutoff}`), 0);
      assert.equal(
        n(`SELECT count(*) AS n FROM tool_calls WHERE COALESCE(end_ts, start_ts) < ${cutoff}`),
        0,
      );
      assert.equal(n(`SELECT count(*) AS n FROM sessions WHERE last_ts < ${cutoff}`), 0);
      assert.equal(n(`SELECT count(*) AS n FROM events WHERE session_id = '${fresh}'`), 1);
      assert.equal(n(`SELECT count(*) AS n FROM sessions WHERE session_id = '${fresh}'`), 1);
      assert.equal(n("SELECT count(*) AS n FROM files"), filesBefore, "cursors kept");
      // Derived tables still agree with what is left.
      for (const t of ["rollup_events", "rollup_event_hours", "rollup_session_hours"]) {
        assert.equal(n(`SELECT COALESCE(sum(n), 0) AS n FROM ${t}`), kept, t);
      }
      assert.equal(
        n("SELECT COALESCE(sum(messages), 0) AS n FROM rollup_usage"),
        n("SELECT count(*) AS n FROM messages"),
      );
      assert.equal(
        n("SELECT COALESCE(sum(calls), 0) AS n FROM rollup_tools"),
        n("SELECT count(*) AS n FROM tool_calls"),
      );
      db.exec("INSERT INTO events_fts(events_fts) VALUES ('integrity-check')");
      assert.equal(n("SELECT count(*) AS n FROM events_fts WHERE events_fts MATCH 'git'"), 0);
      assert.equal(n("SELECT count(*) AS n FROM events_fts WHERE events_fts MATCH 'recent'"), 1);

      assert.deepEqual(await sourceTree(home.claudeDir), tree, "source files byte-identical");
      // Nothing deleted is read in again: not by a rescan, not after a restart.
      await d.settled();
      assert.equal(n("SELECT count(*) AS n FROM events"), kept);
      await d.stop();
      d = await serveReady(home);
      await d.settled();
      assert.equal(count(d.db, "SELECT count(*) AS n FROM events"), kept);
      assert.deepEqual(await sourceTree(home.claudeDir), tree, "still byte-identical");
    } finally {
      await d.stop();
      await home.cleanup();
    }
  },
);

// ---- prices ----

Deno.test("price overrides: the longest matching prefix of the normalized model id wins", () => {
  const p = pricer({
    "claude": { input: 1, output: 1 },
    "claude-sonnet-4": { input: 6, output: 30 },
    "My-Proxy": { input: 2, output: 4, cache_read: 0 },
  });
  assert.equal(p("claude-sonnet-4-5-20250929")?.input, 6);
  assert.equal(p("anthropic.claude-sonnet-4-5-20250929-v1:0")?.output, 30);
  assert.equal(p("claude-haiku-4-5")?.input, 1);
  assert.deepEqual(p("my-proxy-large"), {
    input: 2,
    output: 4,
    cacheWrite5m: 2.5,
    cacheWrite1h: 4,
    cacheRead: 0,
  });
  assert.equal(p("gpt-5"), null);
  assert.equal(p(null), null);
  assert.deepEqual(pricer({})("claude-opus-4-6"), builtInPriceOf("claude-opus-4-6"));
});

Deno.test(
  "a price override re-prices stored messages, session totals and the usage rollup exactly as a fresh ingest would",
  opts,
  async () => {
    const home = await makeHome();
    await writeFixtures(home.claudeDir);
    const a = await serveReady(home);
    const other = await makeHome();
    let b: Served | null = null;
    try {
      type Msg = { k: string; model: string; cost_usd: number | null };
      const messages = (db: Served["db"]) =>
        db.prepare(
          "SELECT message_id || '/' || request_id AS k, model, cost_usd FROM messages ORDER BY k",
        ).all() as unknown as Msg[];
      const original = messages(a.db);
      const model = (a.db.prepare(
        `SELECT model FROM messages WHERE model IS NOT NULL AND cost_usd > 0
       GROUP BY model ORDER BY count(*) DESC LIMIT 1`,
      ).get() as { model: string }).model;
      const override = { [model]: { input: 7, output: 35, cache_read: 0.5 } };
      const r = await post(a.url, "/api/settings", { prices: override });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const repriced = r.body.repriced as { models: string[]; messages: number };
      assert.deepEqual(repriced.models, [model]);
      assert.equal(repriced.messages, original.filter((m) => m.model === model).length);

      const now = messages(a.db);
      const price = overridePrice(override[model]);
      const usage = a.db.prepare(
        `SELECT input_tokens, output_tokens, cache_creation_tokens, cache_creation_1h_tokens,
        cache_read_tokens FROM messages WHERE message_id || '/' || request_id = ?`,
      );
      for (const [i, m] of now.entries()) {
        if (m.model !== model) {
          assert.equal(m.cost_usd, original[i].cost_usd, "other models keep their cost");
          continue;
        }
        const u = usage.get(m.k) as Record<string, number>;
        const oneHour = Math.min(u.cache_creation_1h_tokens, u.cache_creation_tokens);
        const want = (u.input_tokens * price.input + u.output_tokens * price.output +
          (u.cache_creation_tokens - oneHour) * price.cacheWrite5m + oneHour * price.cacheWrite1h +
          u.cache_read_tokens * price.cacheRead) / 1_000_000;
        assert.equal(m.cost_usd, want, m.k);
      }
      // Sessions and the rollup follow their messages.
      const drift = (sql: string) => (a.db.prepare(sql).get() as { d: number | null }).d ?? 0;
      assert.ok(
        drift(`SELECT max(abs(s.cost_usd - (SELECT COALESCE(sum(cost_usd), 0) FROM messages m
          WHERE m.session_id = s.session_id))) AS d FROM sessions s`) < 1e-9,
        "session cost = sum of its messages",
      );
      assert.equal(
        count(
          a.db,
          `SELECT count(*) AS n FROM sessions s WHERE unpriced_messages !=
        (SELECT count(*) FROM messages m WHERE m.session_id = s.session_id AND m.cost_usd IS NULL)`,
        ),
        0,
      );
      assert.ok(
        drift(`SELECT abs((SELECT sum(cost_usd) FROM rollup_usage WHERE model = '${model}')
        - (SELECT sum(cost_usd) FROM messages WHERE model = '${model}')) AS d`) < 1e-9,
        "rollup cost = sum of the messages",
      );

      // A fresh ingest with the same override (another HOME with the same files, its setting
      // stored before its first start) stores the very same costs.
      await writeFixtures(other.claudeDir);
      const seed = openDb(other.dbPath);
      writeSettings(seed, { prices: override });
      seed.close();
      b = await serveReady(other);
      assert.deepEqual(messages(b.db), now);
      await b.stop();
      b = null;

      // Removing the override brings back the built-in prices, exactly.
      const back = await post(a.url, "/api/settings", { prices: {} });
      assert.equal(back.status, 200);
      assert.deepEqual(messages(a.db), original);
    } finally {
      await b?.stop();
      await a.stop();
      await home.cleanup();
      await other.cleanup();
    }
  },
);

// ---- export ----

Deno.test(
  "the export streams exactly the filtered events as CSV and JSON Lines",
  opts,
  async () => {
    const home = await makeHome();
    await writeFixtures(home.claudeDir);
    const d = await serveReady(home);
    try {
      const db = d.db;
      const { session } = db.prepare(
        `SELECT session_id AS session FROM events WHERE type = 'PreToolUse'
       GROUP BY session_id ORDER BY count(*) DESC LIMIT 1`,
      ).get() as { session: string };
      const ids = (sql: string, ...p: string[]) =>
        (db.prepare(sql).all(...p) as Array<{ id: number }>).map((r) => r.id);
      const want = ids(
        "SELECT id FROM events WHERE type = 'PreToolUse' AND session_id = ? ORDER BY ts, id",
        session,
      );
      assert.ok(want.length > 3);
      const query = `type=PreToolUse&session=${encodeURIComponent(session)}`;

      const csvRes = await fetch(`${d.url}/api/export?format=csv&${query}`);
      assert.equal(csvRes.status, 200);
      assert.match(csvRes.headers.get("Content-Type") ?? "", /^text\/csv/);
      assert.equal(
        csvRes.headers.get("Content-Disposition"),
        `attachment; filename="${exportFilename("csv", Date.now())}"`,
      );
      assert.match(
        exportFilename("jsonl", Date.UTC(2026, 0, 2)),
        /^claude-dash-events-2026-01-02\.jsonl$/,
      );
      const rows = parseCsv(await csvRes.text());
      assert.deepEqual(rows[0], [...csvColumns]);
      assert.deepEqual(rows.slice(1).map((r) => Number(r[0])), want);
      const first = db.prepare("SELECT * FROM events WHERE id = ?").get(want[0]) as Record<
        string,
        string | number | null
      >;
      const parsed = Object.fromEntries(csvColumns.map((c, i) => [c, rows[1][i]]));
      assert.deepEqual(parsed, {
        id: String(first.id),
        ts: new Date(first.ts as number).toISOString(),
        source: "hook",
        session_id: session,
        project: (db.prepare("SELECT project FROM sessions WHERE session_id = ?").get(session) as {
          project: string;
        }).project,
        type: "PreToolUse",
        tool_name: first.tool_name,
        tool_use_id: first.tool_use_id ?? "",
        is_sidechain: "false",
        error_kind: "0",
        summary: maskSecrets(first.summary as string),
      });

      const jsonlRes = await fetch(`${d.url}/api/export?format=jsonl&${query}`);
      assert.equal(jsonlRes.status, 200);
      assert.match(jsonlRes.headers.get("Content-Type") ?? "", /^application\/x-ndjson/);
      assert.match(jsonlRes.headers.get("Content-Disposition") ?? "", /\.jsonl"$/);
      const lines = (await jsonlRes.text()).split("\n");
      assert.equal(lines.pop(), "", "every line ends with a newline");
      const objs = lines.map((l) => JSON.parse(l));
      assert.deepEqual(objs.map((o) => o.id), want);
      assert.equal(objs[0].ts, parsed.ts);
      assert.equal(objs[0].is_sidechain, false);
      assert.equal(objs[0].raw.hook_event_name, "PreToolUse");
      assert.equal(objs[0].raw.session_id, session);

      // Project and time range, as the events page names them.
      const { project } = db.prepare(
        "SELECT project FROM sessions WHERE project IS NOT NULL GROUP BY project ORDER BY count(*) DESC LIMIT 1",
      ).get() as { project: string };
      const since = "2025-08-01T00:05:00Z";
      const wantProject = ids(
        `SELECT id FROM events WHERE session_id IN (SELECT session_id FROM sessions WHERE project = ?)
       AND ts >= ? ORDER BY ts, id`,
        project,
        String(Date.parse(since)),
      );
      const pj = (await (await fetch(
        `${d.url}/api/export?format=jsonl&project=${encodeURIComponent(project)}&since=${since}`,
      )).text()).trim().split("\n").filter(Boolean).map((l) => JSON.parse(l).id);
      assert.deepEqual(pj, wantProject);

      // A search exports its matches, in storage order.
      const match = parseSearch("git").match;
      const wantSearch = ids(
        "SELECT rowid AS id FROM events_fts WHERE events_fts MATCH ? ORDER BY rowid",
        match,
      );
      assert.ok(wantSearch.length > 0);
      const sr = parseCsv(await (await fetch(`${d.url}/api/export?q=git`)).text());
      assert.deepEqual(sr.slice(1).map((r) => Number(r[0])), wantSearch);

      // Pages of 7 rows give the same bytes as the route's pages.
      const all = await (await fetch(`${d.url}/api/export?format=jsonl`)).text();
      const small = await new Response(
        exportEventsStream(db, { format: "jsonl", filters: {}, pageRows: 7 }),
      ).text();
      assert.equal(small, all);
      assert.equal(all.split("\n").length - 1, count(db, "SELECT count(*) AS n FROM events"));

      for (const bad of ["format=xml", "q=%22unbalanced", "range=2y"]) {
        const res = await fetch(`${d.url}/api/export?${bad}`);
        assert.equal(res.status, 400, bad);
        await res.body?.cancel();
      }
      // The events page links to the export with its current filters.
      const page = await (await fetch(`${d.url}/events?${query}`)).text();
      assert.ok(
        page.includes(`href="/api/export?${query.replace("&", "&amp;")}&amp;format=csv"`),
        "events page export link",
      );
    } finally {
      await d.stop();
      await home.cleanup();
    }
  },
);

Deno.test(
  "CSV fields with commas, quotes and line breaks are quoted as RFC 4180 says",
  opts,
  async () => {
    assert.equal(csvField("plain"), "plain");
    assert.equal(csvField('say "hi", then go'), '"say ""hi"", then go"');
    assert.equal(csvField("two\nlines"), '"two\nlines"');
    assert.equal(csvField("cr\r\nlf"), '"cr\r\nlf"');
    assert.equal(csvField(null), "");
    assert.equal(csvField(false), "false");
    assert.equal(csvField(12.5), "12.5");
    // Cells a spreadsheet would evaluate as formulas are defused.
    assert.equal(csvField('=HYPERLINK("x")'), '"\'=HYPERLINK(""x"")"');
    assert.equal(csvField("@SUM(A1)"), "'@SUM(A1)");
    const line = csvLine(["a,b", 'q"', "x\ny", 3, null]);
    assert.deepEqual(parseCsv(line), [["a,b", 'q"', "x\ny", "3", ""]]);

    // Through the server: a prompt with commas, quotes and a line break.
    const home = await makeHome();
    const d = await serveReady(home);
    try {
      const prompt = 'Fix "the parser", then\nrun the tests, please';
      await writeHook(home.claudeDir, {
        cwd: "/tmp/settings-test",
        hook_event_name: "UserPromptSubmit",
        session_id: "ses-quoting",
        prompt,
      });
      await d.settled();
      const rows = parseCsv(await (await fetch(`${d.url}/api/export?session=ses-quoting`)).text());
      assert.equal(rows.length, 2);
      const summary = rows[1][csvColumns.indexOf("summary")];
      assert.equal(summary, 'Fix "the parser", then run the tests, please');
      const line = (await (await fetch(`${d.url}/api/export?format=jsonl&session=ses-quoting`))
        .text()).trim();
      assert.equal(line.split("\n").length, 1, "one event, one line");
      assert.equal(JSON.parse(line).raw.prompt, prompt, "the payload keeps its line break");
    } finally {
      await d.stop();
      await home.cleanup();
    }
  },
);

Deno.test(
  "exports, the settings page and its API never carry a secret; the notifier shows only whether it is configured",
  opts,
  async () => {
    const home = await makeHome();
    const secret = "zq8-discord-webhook-value-3f9a7c1e55";
    let d = await serveReady(home);
    try {
      const page = await (await fetch(`${d.url}/settings`)).text();
      assert.match(page, /id="notifier-state"><span class="muted">not configured</);
      const api = await getSettings(d.url);
      assert.equal(api.sources.notifier.configured, false);
      assert.equal(api.sources.hook_logs.found, true);
      assert.equal(api.sources.transcript_roots[0].path, home.claudeDir);
      assert.equal(api.sources.transcript_roots[0].found, true);
      assert.equal(api.sources.threads_db.found, false);
      await d.stop();

      await Deno.writeTextFile(
        join(home.claudeDir, "hooks/.env.discord"),
        `DISCORD_BOT_VALUE=${secret}\n`,
      );
      d = await serveReady(home);
      await writeHook(home.claudeDir, {
        cwd: "/tmp/settings-test",
        hook_event_name: "UserPromptSubmit",
        session_id: "ses-secret",
        prompt: `post it to ${secret} and use API_KEY=sk-live-abcdef1234567890`,
      });
      await d.settled();
      const texts = [
        await (await fetch(`${d.url}/settings`)).text(),
        JSON.stringify(await getSettings(d.url)),
        await (await fetch(`${d.url}/api/export`)).text(),
        await (await fetch(`${d.url}/api/export?format=jsonl`)).text(),
      ];
      assert.match(texts[0], /id="notifier-state"><span class="ok">configured</);
      assert.match(texts[2], /\[masked\]/);
      for (const t of texts) {
        assert.ok(!t.includes(secret.slice(4)), "no .env.discord value");
        assert.ok(!t.includes("sk-live-abcdef1234567890"), "no env-like secret");
      }
    } finally {
      await d.stop();
      await home.cleanup();
    }
  },
);
