// Every place Claude Code writes transcripts: ~/.claude, $XDG_CONFIG_HOME/claude (default
// ~/.config/claude) and the CLAUDE_CONFIG_DIR list. The candidates are a pure function of the
// environment; a real server on a temp HOME, spawned under the start task's flags for that
// environment (read access to exactly those folders), reads transcripts from all that exist
// (the same folder reached twice, through a link, once), live, with the same link rules and
// secret masking as ~/.claude, shows on /api/health which were found, picks up a folder created
// later and keeps the sessions of a folder that disappears (archived). The end-to-end run
// through `deno task start`'s launcher itself is tests/e2e/sandbox_test.ts.

import assert from "node:assert/strict";
import { join } from "node:path";
import { extraRoots, findRoots, rootCandidates } from "../src/ingest/roots.ts";
import { makeHome, type TestHome } from "./support/home.ts";
import { count, waitFor } from "./support/wait.ts";
import { type Served, serveReady } from "./support/served.ts";
import { Ingester } from "../src/ingest/ingester.ts";
import { openDb } from "../src/store/db.ts";
import type { RootStatus, SessionSummary } from "../src/core/types.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test("root candidates: ~/.claude, then $XDG_CONFIG_HOME/claude (default ~/.config/claude), then each CLAUDE_CONFIG_DIR entry, each once", () => {
  assert.deepEqual(rootCandidates({ HOME: "/home/u" }), [
    { path: "/home/u/.claude", origin: "home" },
    { path: "/home/u/.config/claude", origin: "xdg" },
  ]);
  assert.deepEqual(
    rootCandidates({
      HOME: "/home/u/",
      XDG_CONFIG_HOME: "/xdg/",
      CLAUDE_CONFIG_DIR: " /a , ~/b,,/a/, /home/u/.claude,/xdg/claude",
    }),
    [
      { path: "/home/u/.claude", origin: "home" },
      { path: "/xdg/claude", origin: "xdg" },
      { path: "/a", origin: "env" },
      { path: "/home/u/b", origin: "env" },
    ],
  );
  // An empty XDG_CONFIG_HOME means the default, as the XDG spec says.
  assert.deepEqual(
    rootCandidates({ HOME: "/h", XDG_CONFIG_HOME: "" })[1].path,
    "/h/.config/claude",
  );
  // Without HOME only what is named absolutely.
  assert.deepEqual(rootCandidates({ XDG_CONFIG_HOME: "/x", CLAUDE_CONFIG_DIR: "/c" }), [
    { path: "/x/claude", origin: "xdg" },
    { path: "/c", origin: "env" },
  ]);
  assert.deepEqual(rootCandidates({}), []);
  // The other roots of a server reading ~/.claude (or another main folder).
  assert.deepEqual(
    extraRoots({ HOME: "/h", CLAUDE_CONFIG_DIR: "/c" }, "/h/.claude/").map((r) => r.path),
    [
      "/h/.config/claude",
      "/c",
    ],
  );
  assert.deepEqual(
    extraRoots({ HOME: "/h", CLAUDE_CONFIG_DIR: "/c" }, "/c").map((r) => r.path),
    ["/h/.claude", "/h/.config/claude"],
  );
});

Deno.test("findRoots: a missing folder is not found; one that is a link to an earlier one is marked the same", async () => {
  const dir = await Deno.makeTempDir({ prefix: "claude-dash-roots-" });
  try {
    await Deno.mkdir(join(dir, "a"));
    await Deno.symlink(join(dir, "a"), join(dir, "link-to-a"));
    await Deno.writeTextFile(join(dir, "file"), "x");
    const found = await findRoots([
      { path: join(dir, "a"), origin: "home" },
      { path: join(dir, "missing"), origin: "xdg" },
      { path: join(dir, "link-to-a"), origin: "env" },
      { path: join(dir, "file"), origin: "env" },
    ]);
    assert.deepEqual(found.map((f) => [f.found, f.sameAs, f.realPath]), [
      [true, null, await Deno.realPath(join(dir, "a"))],
      [false, null, null],
      [true, join(dir, "a"), await Deno.realPath(join(dir, "a"))],
      [false, null, null],
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---- a server over several folders ----

function line(sid: string, n: number, content: string, ts = "2025-08-01T00:00:00Z"): string {
  return JSON.stringify({
    type: "user",
    sessionId: sid,
    uuid: `${sid}-u${n}`,
    timestamp: ts,
    cwd: `/work/${sid}`,
    message: { role: "user", content },
  }) + "\n";
}

async function transcript(root: string, sid: string, lines: string) {
  await Deno.mkdir(join(root, "projects/-work"), { recursive: true });
  await Deno.writeTextFile(join(root, `projects/-work/${sid}.jsonl`), lines);
}

interface Homes {
  h: TestHome;
  xdg: string;
  third: string;
}

async function withRoots(
  fill: (x: Homes) => Promise<void>,
  env: (x: Homes) => { XDG_CONFIG_HOME?: string; CLAUDE_CONFIG_DIR?: string },
  fn: (d: Served, x: Homes) => Promise<void>,
): Promise<void> {
  const h = await makeHome();
  const x = { h, xdg: join(h.home, ".config/claude"), third: join(h.home, "elsewhere/claude") };
  try {
    await fill(x);
    // The server finds the folders itself from this environment, as for a user.
    const vars: Record<string, string> = {};
    for (const [k, v] of Object.entries(env(x))) if (v !== undefined) vars[k] = v;
    const d = await serveReady(h, { env: vars });
    try {
      await fn(d, x);
    } finally {
      await d.stop();
    }
  } finally {
    await h.cleanup();
  }
}

async function sessionIds(d: Served): Promise<string[]> {
  const body = await (await fetch(`${d.url}/api/sessions?limit=200`)).json();
  return (body.sessions as SessionSummary[]).map((s) => s.session_id).sort();
}

async function roots(d: Served): Promise<RootStatus[]> {
  return (await (await fetch(`${d.url}/api/health`)).json()).ingest.roots;
}

Deno.test(
  "transcripts in ~/.claude/projects, ~/.config/claude/projects and a CLAUDE_CONFIG_DIR folder all show, and /api/health and /health say which folders were found",
  opts,
  async () => {
    await withRoots(
      async ({ h, xdg, third }) => {
        await transcript(h.claudeDir, "in-home", line("in-home", 1, "home"));
        await transcript(xdg, "in-xdg", line("in-xdg", 1, "xdg") + line("in-xdg", 2, "two"));
        await transcript(third, "in-env", line("in-env", 1, "env"));
        // A hook log and a threads.db outside ~/.claude are not Claude Code's: not read.
        await Deno.mkdir(join(xdg, "hooks/logs/raw_json"), { recursive: true });
        await Deno.writeTextFile(
          join(xdg, "hooks/logs/raw_json/20250801_000000_000000_Stop_xdg-hook.json"),
          JSON.stringify({ session_id: "xdg-hook", hook_event_name: "Stop" }),
        );
      },
      ({ third }) => ({ CLAUDE_CONFIG_DIR: `${third}, /nonexistent/claude` }),
      async (d, x) => {
        assert.deepEqual(await sessionIds(d), ["in-env", "in-home", "in-xdg"]);
        const s = await (await fetch(`${d.url}/api/sessions/in-xdg`)).json();
        assert.equal(s.events.length, 2);
        assert.equal(s.source, "live");
        assert.deepEqual(
          (await roots(d)).map((
            r,
          ) => [r.path, r.origin, r.main, r.found, r.same_as, r.transcripts]),
          [
            [x.h.claudeDir, "home", true, true, null, 1],
            [x.xdg, "xdg", false, true, null, 1],
            [x.third, "env", false, true, null, 1],
            ["/nonexistent/claude", "env", false, false, null, 0],
          ],
        );
        // Keys: relative under ~/.claude, absolute (real path) elsewhere: they never collide.
        const paths = (d.db.prepare("SELECT path FROM files ORDER BY path").all() as Array<
          { path: string }
        >).map((r) => r.path);
        assert.deepEqual(
          paths,
          [
            `${await Deno.realPath(x.xdg)}/projects/-work/in-xdg.jsonl`,
            `${await Deno.realPath(x.third)}/projects/-work/in-env.jsonl`,
            "projects/-work/in-home.jsonl",
          ].sort(),
        );
        const page = await (await fetch(`${d.url}/health`, { headers: { Accept: "text/html" } }))
          .text();
        assert.match(page, new RegExp(`data-root="${x.xdg}" data-origin="xdg" data-found="true"`));
        assert.match(
          page,
          /data-root="\/nonexistent\/claude" data-origin="env" data-found="false"/,
        );
        assert.match(page, /\$XDG_CONFIG_HOME\/claude/);
      },
    );
  },
);

Deno.test(
  "the same folder reached twice (a link, or named again) is read once",
  opts,
  async () => {
    await withRoots(async ({ h, xdg, third }) => {
      await transcript(h.claudeDir, "in-home", line("in-home", 1, "home"));
      await transcript(third, "in-env", line("in-env", 1, "env"));
      // ~/.config/claude is a link to ~/.claude; a second name of the third folder too.
      await Deno.mkdir(join(h.home, ".config"), { recursive: true });
      await Deno.symlink(h.claudeDir, xdg);
      await Deno.symlink(third, join(h.home, "third-again"));
    }, ({ h, third }) => ({
      CLAUDE_CONFIG_DIR: `${third},${join(h.home, "third-again")},${third}/`,
    }), async (d, x) => {
      assert.deepEqual(await sessionIds(d), ["in-env", "in-home"]);
      assert.equal(count(d.db, "SELECT count(*) AS n FROM events"), 2);
      assert.equal(count(d.db, "SELECT count(*) AS n FROM files"), 2);
      assert.deepEqual(
        (await roots(d)).map((r) => [r.path, r.found, r.same_as, r.transcripts]),
        [
          [x.h.claudeDir, true, null, 1],
          [x.xdg, true, x.h.claudeDir, 0],
          [x.third, true, null, 1],
          [join(x.h.home, "third-again"), true, x.third, 0],
        ],
      );
    });
  },
);

Deno.test(
  "in another folder: a new line is stored live, links out of it are not followed, secrets are masked, a folder created later is picked up and one removed leaves its sessions archived",
  opts,
  async () => {
    await withRoots(
      async ({ h, xdg }) => {
        await transcript(xdg, "live-xdg", line("live-xdg", 1, "first"));
        // The notifier's secret (it lives in ~/.claude/hooks only) masks text from every folder.
        await Deno.mkdir(join(h.claudeDir, "hooks"), { recursive: true });
        await Deno.writeTextFile(
          join(h.claudeDir, "hooks/.env.discord"),
          "DISCORD_WEBHOOK_SECRET_VALUE=zq9-very-secret-value-1234\n",
        );
        // A folder linked out of the root, with a transcript in it.
        const outside = join(h.home, "outside");
        await transcript(outside, "outside-1", line("outside-1", 1, "outside-marker"));
        await Deno.symlink(join(outside, "projects/-work"), join(xdg, "projects/-linked"));
      },
      ({ third }) => ({ CLAUDE_CONFIG_DIR: third }),
      async (d, x) => {
        assert.deepEqual(await sessionIds(d), ["live-xdg"]);
        assert.equal(
          count(
            d.db,
            "SELECT count(*) AS n FROM events WHERE event_raw(raw, raw_block, id) LIKE '%outside-marker%'",
          ),
          0,
        );
        // Live: a line appended there is stored within 1 s (watcher).
        const file = join(x.xdg, "projects/-work/live-xdg.jsonl");
        const started = performance.now();
        await Deno.writeTextFile(file, line("live-xdg", 2, "token zq9-very-secret-value-1234"), {
          append: true,
        });
        await waitFor(
          () => count(d.db, "SELECT count(*) AS n FROM events WHERE session_id = 'live-xdg'") === 2,
          1000,
          "the appended line",
        );
        console.log(
          `line in ~/.config/claude stored after ${Math.round(performance.now() - started)} ms`,
        );
        // (A change the watcher reports inside the linked folder: the in-process test below.)
        // Written through the linked folder: the watcher may report it, it is still not read.
        await Deno.writeTextFile(
          join(x.h.home, "outside/projects/-work/outside-1.jsonl"),
          line("outside-1", 2, "outside-marker again"),
          { append: true },
        );
        await new Promise((r) => setTimeout(r, 200));
        await d.settled();
        assert.equal(
          count(
            d.db,
            "SELECT count(*) AS n FROM events WHERE event_raw(raw, raw_block, id) LIKE '%outside-marker%'",
          ),
          0,
          "nothing read through a link",
        );
        const body = JSON.stringify(await (await fetch(`${d.url}/api/sessions/live-xdg`)).json());
        assert.doesNotMatch(body, /zq9-very-secret-value-1234/);
        assert.match(body, /\[masked\]/);

        // CLAUDE_CONFIG_DIR's folder did not exist at start: created now, it is read.
        await transcript(x.third, "late-env", line("late-env", 1, "late"));
        await waitFor(
          async () => (await sessionIds(d)).includes("late-env"),
          3000,
          "a late folder",
        );
        assert.equal((await roots(d))[2].found, true);

        // ~/.config/claude removed (cleanup, or moved away): its sessions stay, archived.
        await Deno.remove(x.xdg, { recursive: true });
        await waitFor(
          async () => {
            const s = await (await fetch(`${d.url}/api/sessions/live-xdg`)).json();
            return s.source === "archived";
          },
          3000,
          "archived",
        );
        const s = await (await fetch(`${d.url}/api/sessions/live-xdg`)).json();
        assert.equal(s.events.length, 2);
        assert.equal((await roots(d))[1].found, false);
      },
    );
  },
);

Deno.test(
  "a change the watcher reports inside a folder linked into another root is counted, not read",
  opts,
  async () => {
    const h = await makeHome();
    const xdg = join(h.home, ".config/claude");
    const db = openDb(h.dbPath);
    try {
      await transcript(xdg, "live-xdg", line("live-xdg", 1, "first"));
      const outside = join(h.home, "outside");
      await transcript(outside, "outside-1", line("outside-1", 1, "outside-marker"));
      await Deno.symlink(join(outside, "projects/-work"), join(xdg, "projects/-linked"));
      // In process: only the watcher's own report reaches this path, and a spawned server's
      // watcher does not report changes behind a link (the test above shows nothing is read).
      const ingester = new Ingester({
        claudeDir: h.claudeDir,
        db,
        watch: false,
        transcriptRoots: extraRoots({ HOME: h.home }, h.claudeDir),
      });
      ingester.start();
      try {
        await ingester.ready;
        ingester.hint(join(xdg, "projects/-linked/outside-1.jsonl"));
        await ingester.rescan();
        const errors = (db.prepare("SELECT path, reason FROM ingest_errors").all() as Array<
          { path: string; reason: string }
        >).map((e) => `${e.path}: ${e.reason}`);
        assert.deepEqual(errors, [
          `${await Deno.realPath(
            xdg,
          )}/projects/-linked/outside-1.jsonl: inside a symbolically linked folder: not followed`,
        ]);
        assert.equal(
          count(
            db,
            "SELECT count(*) AS n FROM events WHERE event_raw(raw, raw_block, id) LIKE '%outside-marker%'",
          ),
          0,
        );
      } finally {
        await ingester.stop();
      }
    } finally {
      db.close();
      await h.cleanup();
    }
  },
);
