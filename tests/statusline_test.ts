// `claude-dash statusline` end to end, under the exact flags of its deno.json task: the payload
// Claude Code pipes (recorded from the real CLI 2.1.332 in tests/fixtures/claude-code-2.1/; the
// rate_limits part, which only subscription plans get, in its documented shape) → the printed
// line and the stored sample → the dashboard's official gauges (/api/usage/windows, /api/blocks
// and the /usage page), which must all say the same. Also thinning, bad input, and the context
// window Claude Code reports (stored per session, preferred to the guess from the model).
// Its servers are spawned under the start task's exact flags (tests/support/served.ts).

import assert from "node:assert/strict";
import { join } from "node:path";
import { runTask, taskMainArgs } from "./support/tasks.ts";
import { makeHome, type TestHome } from "./support/home.ts";
import { serveReady } from "./support/served.ts";
import { assistantLine, transcriptPath, writeTranscript } from "./support/usage_lines.ts";
import { rateLimitSamplesRel } from "../src/core/rate_limits.ts";

const fixture = new URL("./fixtures/claude-code-2.1/statusline/api-key.json", import.meta.url);
const minute = 60_000;
const hour = 60 * minute;

/** The recorded payload, with `rate_limits` as a subscription plan gets it (or without). */
async function payload(limits?: { five: [number, number]; week: [number, number] }) {
  const p = JSON.parse(await Deno.readTextFile(fixture));
  if (limits) {
    p.rate_limits = {
      five_hour: { used_percentage: limits.five[0], resets_at: Math.floor(limits.five[1] / 1000) },
      seven_day: { used_percentage: limits.week[0], resets_at: Math.floor(limits.week[1] / 1000) },
    };
  }
  return { json: JSON.stringify(p), sessionId: p.session_id as string };
}

async function statusline(h: TestHome, stdin: string, extra: string[] = []) {
  return await runTask(
    "statusline",
    h.home,
    [...(await taskMainArgs("statusline")), ...extra],
    stdin,
  );
}

async function samples(h: TestHome): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(join(h.claudeDir, rateLimitSamplesRel))) {
      if (e.name.endsWith(".json")) names.push(e.name);
    }
  } catch {
    // no folder: no sample
  }
  return names.sort();
}

/** The sample files that carry an official figure (a file may hold only a context window). */
async function rateLimitSamples(h: TestHome): Promise<string[]> {
  const out: string[] = [];
  for (const name of await samples(h)) {
    const v = JSON.parse(await Deno.readTextFile(join(h.claudeDir, rateLimitSamplesRel, name)));
    if (v.rate_limits?.five_hour || v.rate_limits?.seven_day) out.push(name);
  }
  return out;
}

Deno.test("statusline with rate_limits: the line, the stored sample and the dashboard's official gauges agree", async () => {
  const h = await makeHome();
  try {
    const now = Date.now();
    const fiveResets = Math.floor((now + 2 * hour) / 1000) * 1000;
    const weekResets = Math.floor((now + 50 * hour) / 1000) * 1000;
    // 4M tokens in the 5-hour window so far: at 40 % the implied budget is 10M.
    const sid = "11111111-2222-3333-4444-555555555555";
    await writeTranscript(
      transcriptPath(h.claudeDir, sid),
      assistantLine({
        sessionId: sid,
        ts: now - 30 * minute,
        messageId: "msg_1",
        requestId: "req_1",
        model: "claude-sonnet-4-5",
        input: 1_000_000,
        output: 0,
        cacheCreation: 0,
        cacheRead: 3_000_000,
      }),
    );
    const { json } = await payload({ five: [40, fiveResets], week: [12.5, weekResets] });
    const r = await statusline(h, json);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.match(
      r.stdout,
      /^Opus 5\.5 · ctx \d+% · 5h 40% ↻\d\d:\d\d · 7d 13% · \$0\.0019 today\n$/,
    );

    const names = await samples(h);
    assert.equal(names.length, 1, "one sample stored");
    const stored = JSON.parse(
      await Deno.readTextFile(join(h.claudeDir, rateLimitSamplesRel, names[0])),
    );
    assert.deepEqual(stored.rate_limits, {
      five_hour: { used_percentage: 40, resets_at: fiveResets / 1000 },
      seven_day: { used_percentage: 12.5, resets_at: weekResets / 1000 },
    });

    const d = await serveReady(h);
    try {
      assert.deepEqual(await samples(h), [], "the server stored the sample and removed its file");
      const api = await (await fetch(`${d.url}/api/usage/windows`)).json();
      const five = api.official.five_hour;
      assert.equal(five.used_pct, 40);
      assert.equal(five.resets_at, new Date(fiveResets).toISOString());
      assert.equal(five.as_of, new Date(stored.ts).toISOString());
      assert.equal(five.tokens, 4_000_000);
      assert.equal(five.implied_tokens, 10_000_000);
      assert.equal(api.official.seven_day.used_pct, 12.5);
      // The implied budget is the 5-hour limit in force, named as Claude's figure.
      assert.equal(api.limits.tokens, 10_000_000);
      assert.equal(api.limits.tokens_source_text, "Claude's figure");
      assert.equal(api.active.limit_source_text, "Claude's figure");
      // The weekly view: the window ending at Claude's weekly reset, with its figure.
      assert.equal(api.claude_weeks[0].end, new Date(weekResets).toISOString());
      assert.equal(api.claude_weeks[0].used_pct, 12.5);
      assert.equal(api.claude_weeks[0].models[0].model, "claude-sonnet-4-5");
      const blocks = await (await fetch(`${d.url}/api/blocks`)).json();
      assert.deepEqual(blocks.official, api.official);

      const page = await (await fetch(`${d.url}/usage`)).text();
      const asOf = new Date(stored.ts).toISOString().slice(11, 16);
      assert.ok(
        page.includes(`Claude&#39;s figure, as of ${asOf}`) ||
          page.includes(`Claude's figure, as of ${asOf}`),
        "the page names the figure's time",
      );
      assert.match(page, /data-kind="five_hour" data-used="40"/);
      assert.ok(page.includes(`resets ${new Date(fiveResets).toISOString().slice(11, 16)} UTC`));
      assert.match(page, /id="claude-weeks-table"/);
    } finally {
      await d.stop();
    }
  } finally {
    await h.cleanup();
  }
});

Deno.test("statusline without rate_limits (API-key users): no sample, and the dashboard shows the computed window only, labelled as such", async () => {
  const h = await makeHome();
  try {
    const { json } = await payload();
    const r = await statusline(h, json);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "Opus 5.5 · ctx 0% · $0.0019 today\n");
    assert.deepEqual(await rateLimitSamples(h), []);
    const d = await serveReady(h);
    try {
      const api = await (await fetch(`${d.url}/api/usage/windows`)).json();
      assert.deepEqual(api.official, { five_hour: null, seven_day: null });
      assert.deepEqual(api.claude_weeks, []);
      const page = await (await fetch(`${d.url}/usage`)).text();
      assert.match(page, /data-official="0"/);
      assert.ok(page.includes("Computed by claude-dash from your transcripts"));
      assert.ok(!page.includes("as of"), "no official figure shown");
    } finally {
      await d.stop();
    }
  } finally {
    await h.cleanup();
  }
});

Deno.test("statusline thinning: a refresh with the same figures stores no new sample, a changed figure does", async () => {
  const h = await makeHome();
  try {
    const now = Date.now();
    const resets: [number, number] = [10, now + hour];
    const week: [number, number] = [5, now + 24 * hour];
    for (let i = 0; i < 3; i++) {
      assert.equal((await statusline(h, (await payload({ five: resets, week })).json)).code, 0);
    }
    assert.equal((await samples(h)).length, 1, "three refreshes, one sample");
    await statusline(h, (await payload({ five: [11, resets[1]], week })).json);
    assert.equal((await samples(h)).length, 2, "a changed figure is stored at once");
  } finally {
    await h.cleanup();
  }
});

Deno.test("statusline on bad input prints a minimal line and exits 0", async () => {
  const h = await makeHome();
  try {
    for (const stdin of ["", "not json", "[1,2]", '{"rate_limits": {"five_hour": "x"}}']) {
      const r = await statusline(h, stdin);
      assert.equal(r.code, 0, stdin);
      assert.equal(r.stdout, "claude-dash\n", stdin);
    }
    const bad = await statusline(h, (await payload()).json, ["--bogus"]);
    assert.equal(bad.code, 0);
    assert.equal(bad.stdout, "claude-dash\n");
    const fmt = await statusline(h, (await payload()).json, ["--format", "nope"]);
    assert.equal(fmt.code, 0);
    assert.match(fmt.stderr, /unknown statusline part "nope"/);
    assert.equal(fmt.stdout, "Opus 5.5 · ctx 0% · $0.0019 today\n", "the default parts");
    assert.deepEqual(await rateLimitSamples(h), []);
  } finally {
    await h.cleanup();
  }
});

Deno.test("statusline: the context window Claude Code reports is stored once per session and is the session's context_window on the dashboard", async () => {
  const h = await makeHome();
  try {
    const now = Date.now();
    // A model the price table does not know: without the report, no window and no context bar.
    const sid = "66666666-7777-8888-9999-000000000000";
    const model = "claude-sonnet-5-5";
    await writeTranscript(
      transcriptPath(h.claudeDir, sid),
      assistantLine({
        sessionId: sid,
        ts: now - minute,
        messageId: "msg_cw",
        requestId: "req_cw",
        model,
        input: 50_000,
        output: 10,
        cacheCreation: 0,
        cacheRead: 200_000,
      }),
    );
    const p = JSON.parse(await Deno.readTextFile(fixture));
    p.session_id = sid;
    p.model = { id: model, display_name: "Sonnet 5.5" };
    p.context_window.context_window_size = 1_000_000;
    const json = JSON.stringify(p);

    assert.equal((await statusline(h, json)).code, 0);
    const names = await samples(h);
    assert.equal(names.length, 1, "the new window is recorded");
    const stored = JSON.parse(
      await Deno.readTextFile(join(h.claudeDir, rateLimitSamplesRel, names[0])),
    );
    assert.equal(stored.session_id, sid);
    assert.equal(stored.context_window.context_window_size, 1_000_000);
    assert.deepEqual(await rateLimitSamples(h), [], "an API-key payload: no official figure");
    assert.equal((await statusline(h, json)).code, 0);
    assert.deepEqual(await samples(h), names, "the same window again writes no new sample");

    const d = await serveReady(h);
    try {
      assert.deepEqual(await samples(h), [], "the server stored the sample and removed its file");
      const s = await (await fetch(`${d.url}/api/sessions/${sid}`)).json();
      assert.equal(s.model, model);
      assert.equal(s.context_tokens, 250_000);
      assert.equal(s.context_window, 1_000_000);
      const list = await (await fetch(`${d.url}/api/sessions`)).json();
      const row = list.sessions.find((x: { session_id: string }) => x.session_id === sid);
      assert.equal(row.context_window, 1_000_000);
      const page = await (await fetch(`${d.url}/sessions/${sid}`)).text();
      assert.match(page, /data-context-ratio="0\.2500"/, "the context bar appears");
    } finally {
      await d.stop();
    }
  } finally {
    await h.cleanup();
  }
});
