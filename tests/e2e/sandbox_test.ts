// The sandbox, proven from outside: the real server runs under exactly the permission flags of
// `deno task start` (the task runs scripts/launch.ts, which works the flags out from HOME,
// XDG_CONFIG_HOME and CLAUDE_CONFIG_DIR; the real launcher is asked for them) with a fake HOME,
// serves the dashboard, and Deno's own permission audit (DENO_AUDIT_PERMISSIONS) shows it never
// even asks for anything else. A probe script under the same flags shows what those flags
// refuse. Symbolic links, which Deno's path checks do not resolve, are shown not to lead the
// ingester out of ~/.claude. The launcher itself runs the server, passes SIGTERM on and exits
// with its code.

import assert from "node:assert/strict";
import { join } from "node:path";
import { Ingester } from "../../src/ingest/ingester.ts";
import { openDb } from "../../src/store/db.ts";
import { makeHome, writeFixtures } from "../support/home.ts";
import { SseClient } from "../support/sse.ts";
import { count, waitFor } from "../support/wait.ts";
import { denoDir, servingUrl, type TaskEnv, taskRunFlags, taskWords } from "../support/tasks.ts";
import { launchArgs, serverV8Flags } from "../../scripts/launch.ts";

const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const opts = { sanitizeResources: false, sanitizeOps: false };
const fixtureEvents = 1638;

/** The server's permission flags under a deno.json task, for HOME=home and `env`. */
async function taskFlags(task: string, home: string, env: TaskEnv = {}): Promise<string[]> {
  return (await taskRunFlags(task, home, env)).filter((w) => /^(--allow-|--deny-|-A$)/.test(w));
}

const probe = `
const home = Deno.env.get("HOME");
const repo = Deno.args[0];
const out = {};
async function attempt(name, fn) {
  try { await fn(); out[name] = "ok"; } catch (e) { out[name] = e.name; }
}
await attempt("read /etc/passwd", () => Deno.readTextFile("/etc/passwd"));
await attempt("read ~/.ssh key", () => Deno.readTextFile(home + "/.ssh/id_ed25519"));
await attempt("list ~", async () => { for await (const _ of Deno.readDir(home)) break; });
await attempt("read the checkout", () => Deno.readTextFile(repo + "/deno.json"));
await attempt("read ~/.claude/settings.json", () => Deno.readTextFile(home + "/.claude/settings.json"));
await attempt("list ~/.claude", async () => { for await (const _ of Deno.readDir(home + "/.claude")) break; });
await attempt("stat ~/.claude", () => Deno.stat(home + "/.claude"));
await attempt("read ~/.claude/todos/x.json", () => Deno.readTextFile(home + "/.claude/todos/x.json"));
await attempt("read ~/.claude/statsig/id", () => Deno.readTextFile(home + "/.claude/statsig/id"));
await attempt("read ~/.claude/history.jsonl", () => Deno.readTextFile(home + "/.claude/history.jsonl"));
await attempt("read ~/.claude/projects/-p/s.jsonl", () => Deno.readTextFile(home + "/.claude/projects/-p/s.jsonl"));
await attempt("read ~/.claude/claude-dash/ingest-secret", () => Deno.readTextFile(home + "/.claude/claude-dash/ingest-secret"));
await attempt("read ~/.claude/.credentials.json", () => Deno.readTextFile(home + "/.claude/.credentials.json"));
await attempt("stat ~/.claude/.credentials.json", () => Deno.stat(home + "/.claude/.credentials.json"));
await attempt("read ~/.config/claude/.credentials.json", () => Deno.readTextFile(home + "/.config/claude/.credentials.json"));
await attempt("read ~/.claude/ide lock", () => Deno.readTextFile(home + "/.claude/ide/1234.lock"));
await attempt("read ~/.claude/hooks/.env.discord", () => Deno.readTextFile(home + "/.claude/hooks/.env.discord"));
await attempt("read ~/.config/claude/x.jsonl", () => Deno.readTextFile(home + "/.config/claude/x.jsonl"));
await attempt("read ~/.config/claude/projects/-p/s.jsonl", () => Deno.readTextFile(home + "/.config/claude/projects/-p/s.jsonl"));
await attempt("read ~/.config/claude/settings.json", () => Deno.readTextFile(home + "/.config/claude/settings.json"));
await attempt("read ~/.config/other", () => Deno.readTextFile(home + "/.config/other"));
await attempt("write ~/.config/claude", () => Deno.writeTextFile(home + "/.config/claude/y", "x"));
await attempt("write ~/.claude/settings.json", () => Deno.writeTextFile(home + "/.claude/settings.json", "{}"));
await attempt("write ~/.claude/hooks", () => Deno.writeTextFile(home + "/.claude/hooks/x", "x"));
await attempt("write ~/.claude/claude-dash", () => Deno.writeTextFile(home + "/.claude/claude-dash/probe", "x"));
await attempt("write /tmp", () => Deno.writeTextFile("/tmp/claude-dash-probe", "x"));
await attempt("env HOME", () => Deno.env.get("HOME"));
await attempt("env XDG_CONFIG_HOME", () => Deno.env.get("XDG_CONFIG_HOME"));
await attempt("env CLAUDE_CONFIG_DIR", () => Deno.env.get("CLAUDE_CONFIG_DIR"));
await attempt("env PATH", () => Deno.env.get("PATH"));
await attempt("listen 127.0.0.1", () => Deno.listen({ hostname: "127.0.0.1", port: 0 }).close());
await attempt("listen 0.0.0.0", () => Deno.listen({ hostname: "0.0.0.0", port: 0 }).close());
await attempt("connect 127.0.0.2", () => Deno.connect({ hostname: "127.0.0.2", port: 9 }));
await attempt("run", () => new Deno.Command("/bin/true").output());
await attempt("sys", () => Deno.hostname());
await attempt("ffi", () => Deno.dlopen("libc.so.6", {}));
console.log(JSON.stringify(out));
`;

Deno.test(
  "under the start task's flags reading /etc/passwd, ~/.ssh or Claude Code's .credentials.json, writing outside claude-dash/, other env, net, run, sys and ffi all fail with NotCapable",
  opts,
  async () => {
    const h = await makeHome();
    try {
      await Deno.mkdir(join(h.home, ".ssh"));
      await Deno.writeTextFile(join(h.home, ".ssh/id_ed25519"), "PRIVATE KEY");
      await Deno.writeTextFile(join(h.claudeDir, "settings.json"), '{"hooks": {}}');
      // Claude Code's login tokens and IDE lock file (with its auth token): never readable.
      const token = '{"claudeAiOauth": {"accessToken": "sk-ant-oat01-x"}}';
      await Deno.writeTextFile(join(h.claudeDir, ".credentials.json"), token);
      await Deno.mkdir(join(h.claudeDir, "ide"));
      await Deno.writeTextFile(join(h.claudeDir, "ide/1234.lock"), '{"authToken": "x"}');
      await Deno.writeTextFile(join(h.claudeDir, "hooks/.env.discord"), "DISCORD_TOKEN=x\n");
      await Deno.mkdir(join(h.claudeDir, "claude-dash"), { recursive: true });
      await Deno.writeTextFile(join(h.claudeDir, "claude-dash/ingest-secret"), "s3cret\n");
      // What Claude Code keeps beside what claude-dash reads: outside the allow-list.
      await Deno.mkdir(join(h.claudeDir, "todos"));
      await Deno.writeTextFile(join(h.claudeDir, "todos/x.json"), "[]");
      await Deno.mkdir(join(h.claudeDir, "statsig"));
      await Deno.writeTextFile(join(h.claudeDir, "statsig/id"), "x");
      await Deno.writeTextFile(join(h.claudeDir, "history.jsonl"), "{}\n");
      await Deno.mkdir(join(h.claudeDir, "projects/-p"));
      await Deno.writeTextFile(join(h.claudeDir, "projects/-p/s.jsonl"), "{}\n");
      await Deno.mkdir(join(h.home, ".config/claude/projects/-p"), { recursive: true });
      await Deno.writeTextFile(join(h.home, ".config/claude/.credentials.json"), token);
      await Deno.writeTextFile(join(h.home, ".config/claude/x.jsonl"), "{}\n");
      await Deno.writeTextFile(join(h.home, ".config/claude/projects/-p/s.jsonl"), "{}\n");
      await Deno.writeTextFile(join(h.home, ".config/claude/settings.json"), "{}");
      await Deno.writeTextFile(join(h.home, ".config/other"), "x");
      // The probe lives outside every allowed folder: Deno loads the main module regardless.
      const dir = await Deno.makeTempDir({ prefix: "claude-dash-probe-" });
      await Deno.writeTextFile(join(dir, "probe.js"), probe);
      const flags = await taskFlags("start", h.home);
      const c = h.claudeDir;
      assert.deepEqual(flags, [
        `--allow-read=${c}/projects,${c}/hooks,${c}/claude-dash,${c}/settings.json,${h.home}/.config/claude/projects`,
        `--allow-write=${h.home}/.claude/claude-dash`,
        "--allow-net=127.0.0.1,localhost",
        "--allow-env=HOME,XDG_CONFIG_HOME,CLAUDE_CONFIG_DIR",
      ]);
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", ...flags, join(dir, "probe.js"), root],
        env: { HOME: h.home, DENO_DIR: await denoDir() },
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      await Deno.remove(dir, { recursive: true });
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      assert.deepEqual(JSON.parse(new TextDecoder().decode(out.stdout)), {
        "read /etc/passwd": "NotCapable",
        "read ~/.ssh key": "NotCapable",
        "list ~": "NotCapable",
        "read the checkout": "NotCapable",
        "read ~/.claude/settings.json": "ok",
        "list ~/.claude": "NotCapable",
        "stat ~/.claude": "NotCapable",
        "read ~/.claude/todos/x.json": "NotCapable",
        "read ~/.claude/statsig/id": "NotCapable",
        "read ~/.claude/history.jsonl": "NotCapable",
        "read ~/.claude/projects/-p/s.jsonl": "ok",
        "read ~/.claude/claude-dash/ingest-secret": "ok",
        "read ~/.claude/.credentials.json": "NotCapable",
        "stat ~/.claude/.credentials.json": "NotCapable",
        "read ~/.config/claude/.credentials.json": "NotCapable",
        "read ~/.claude/ide lock": "NotCapable",
        "read ~/.claude/hooks/.env.discord": "ok",
        "read ~/.config/claude/x.jsonl": "NotCapable",
        "read ~/.config/claude/projects/-p/s.jsonl": "ok",
        "read ~/.config/claude/settings.json": "NotCapable",
        "read ~/.config/other": "NotCapable",
        "write ~/.config/claude": "NotCapable",
        "write ~/.claude/settings.json": "NotCapable",
        "write ~/.claude/hooks": "NotCapable",
        "write ~/.claude/claude-dash": "ok",
        "write /tmp": "NotCapable",
        "env HOME": "ok",
        "env XDG_CONFIG_HOME": "ok",
        "env CLAUDE_CONFIG_DIR": "ok",
        "env PATH": "NotCapable",
        "listen 127.0.0.1": "ok",
        "listen 0.0.0.0": "NotCapable",
        "connect 127.0.0.2": "NotCapable",
        "run": "NotCapable",
        "sys": "NotCapable",
        "ffi": "NotCapable",
      });
      assert.equal(await Deno.readTextFile(join(h.claudeDir, "settings.json")), '{"hooks": {}}');
    } finally {
      await h.cleanup();
    }
  },
);

interface AuditRecord {
  permission: string;
  value: string | null;
}

Deno.test(
  "the real server under the start task's exact flags serves the dashboard, and Deno's permission audit shows no access outside the allowed set",
  opts,
  async () => {
    const h = await makeHome();
    const auditDir = await Deno.makeTempDir({ prefix: "claude-dash-audit-" });
    const auditFile = join(auditDir, "audit.jsonl");
    await writeFixtures(h.claudeDir);
    // Bait outside ~/.claude, and links into it from inside.
    await Deno.mkdir(join(h.home, ".ssh"));
    await Deno.writeTextFile(join(h.home, ".ssh/id_ed25519"), "PRIVATE KEY");
    const outside = join(h.home, "outside");
    await Deno.mkdir(outside);
    const line = (i: number) =>
      JSON.stringify({
        type: "user",
        sessionId: "outside-1",
        uuid: `outside-${i}`,
        timestamp: new Date().toISOString(),
        message: { role: "user", content: `outside-marker ${i}` },
      }) + "\n";
    await Deno.writeTextFile(join(outside, "outside-1.jsonl"), line(0));
    await Deno.symlink(outside, join(h.claudeDir, "projects/-linked-outside"));
    await Deno.symlink(
      join(h.home, ".ssh/id_ed25519"),
      join(h.claudeDir, "projects/-fixtures-sniffly/key.jsonl"),
    );
    await Deno.symlink(
      "/etc/passwd",
      join(h.claudeDir, "hooks/logs/raw_json/20250101_000000_PreToolUse_link.json"),
    );
    await Deno.writeTextFile(
      join(h.claudeDir, "hooks/.env.discord"),
      "DISCORD_TOKEN=abcdefgh12345\n",
    );
    // A third folder named by CLAUDE_CONFIG_DIR, with one transcript: read too.
    const alt = join(h.home, "alt-claude");
    await Deno.mkdir(join(alt, "projects/-alt"), { recursive: true });
    await Deno.writeTextFile(
      join(alt, "projects/-alt/alt-1.jsonl"),
      JSON.stringify({
        type: "user",
        sessionId: "alt-1",
        uuid: "alt-u1",
        timestamp: "2025-08-01T00:00:00Z",
        message: { role: "user", content: "from the third folder" },
      }) + "\n",
    );
    const env = { CLAUDE_CONFIG_DIR: alt };

    const flags = await taskFlags("start", h.home, env);
    const readable = flags.find((f) => f.startsWith("--allow-read="))!.slice(13).split(",");
    // Claude Code's login tokens (bait): outside every readable folder.
    await Deno.writeTextFile(join(h.claudeDir, ".credentials.json"), '{"accessToken": "x"}');
    assert.ok(!readable.some((d) => `${h.claudeDir}/.credentials.json`.startsWith(d)));
    const c = h.claudeDir;
    assert.deepEqual(readable, [
      ...["projects", "hooks", "claude-dash", "settings.json"].map((p) => `${c}/${p}`),
      `${h.home}/.config/claude/projects`,
      `${alt}/projects`,
    ]);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", ...flags, join(root, "main.ts"), "--port", "0"],
      env: {
        HOME: h.home,
        ...env,
        DENO_DIR: await denoDir(),
        DENO_AUDIT_PERMISSIONS: auditFile,
      },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let sse: SseClient | null = null;
    try {
      const url = await servingUrl(reader);
      const health = async () => (await (await fetch(`${url}/api/health`)).json()).events;
      await waitFor(async () => (await health()) === fixtureEvents + 1, 10_000, "backfill");

      // The dashboard works: pages, API, assets, SSE and WebSocket.
      for (const path of ["/", "/sessions", "/events", "/health"]) {
        const res = await fetch(`${url}${path}`, { headers: { Accept: "text/html" } });
        assert.equal(res.status, 200, path);
        const html = await res.text();
        assert.match(html, /<html/);
        const asset = /src="(\/static\/[^"]+)"/.exec(html)?.[1];
        if (asset) assert.equal((await fetch(`${url}${asset}`)).status, 200, asset);
      }
      const sessions = await (await fetch(`${url}/api/sessions`)).json();
      assert.ok(sessions.total > 0);
      sse = new SseClient(`${url}/api/stream`);
      await waitFor(() => sse!.messages.some((m) => m.event === "hello"), 3000, "SSE hello");
      const ws = new WebSocket(`${url.replace("http", "ws")}/api/ws`);
      const hello = await new Promise<string>((resolve, reject) => {
        ws.onmessage = (e) => resolve(String(e.data));
        ws.onerror = () => reject(new Error("WebSocket failed"));
      });
      assert.match(hello, /"hello"/);
      ws.close();

      // Live ingest through the watcher, and writes through the linked folder.
      await Deno.writeTextFile(
        join(h.claudeDir, "hooks/logs/raw_json/20990101_000000_Notification_live-1.json"),
        JSON.stringify({ session_id: "live-1", hook_event_name: "Notification", message: "hi" }),
      );
      await Deno.writeTextFile(join(outside, "outside-1.jsonl"), line(1), { append: true });
      await waitFor(
        () => sse!.messages.some((m) => m.event === "event" && m.data.includes("live-1")),
        3000,
        "live event",
      );
      await new Promise((r) => setTimeout(r, 1500)); // one more reconcile scan
      assert.equal(await health(), fixtureEvents + 2, "nothing read through a link");
    } finally {
      await sse?.close();
      reader.releaseLock();
      child.kill("SIGTERM");
      await child.status;
      await child.stdout.cancel().catch(() => {});
      await child.stderr.cancel().catch(() => {});
    }
    try {
      const db = openDb(h.dbPath);
      try {
        assert.equal(
          count(
            db,
            "SELECT count(*) AS n FROM events WHERE event_raw(raw, raw_block, id) LIKE '%outside-marker%'",
          ),
          0,
        );
        assert.equal(
          count(
            db,
            "SELECT count(*) AS n FROM events WHERE event_raw(raw, raw_block, id) LIKE '%PRIVATE KEY%'",
          ),
          0,
        );
        assert.equal(
          count(
            db,
            "SELECT count(*) AS n FROM events WHERE event_raw(raw, raw_block, id) LIKE '%root:x:0:0%'",
          ),
          0,
        );
      } finally {
        db.close();
      }

      const records: AuditRecord[] = (await Deno.readTextFile(auditFile)).split("\n")
        .filter(Boolean).map((l) => JSON.parse(l));
      assert.ok(records.length > 0, "the audit recorded the permission checks");
      const claude = `${h.home}/.claude`;
      const inside = (p: string | null, dir: string) => p === dir || !!p?.startsWith(dir + "/");
      const envNames = ["HOME", "XDG_CONFIG_HOME", "CLAUDE_CONFIG_DIR"];
      const outsideSet = records.filter((r) => {
        switch (r.permission) {
          case "read":
            return !readable.some((dir) => inside(r.value, dir));
          case "write":
            return !inside(r.value, `${claude}/claude-dash`);
          case "net":
            return !/^(127\.0\.0\.1|localhost)(:\d+)?$/.test(r.value ?? "");
          case "env":
            return !envNames.includes(r.value ?? "");
          default:
            return true; // run, ffi, sys, import: none is granted, none may even be asked for
        }
      });
      assert.deepEqual(outsideSet, [], "permission checks outside the allowed set");
      // And the audit is live: it saw the reads, the database writes, the listener and HOME.
      const kinds = (perm: string, test: (v: string) => boolean) =>
        records.some((r) => r.permission === perm && test(r.value ?? ""));
      assert.ok(kinds("read", (v) => v.includes("/.claude/projects/")), "reads of transcripts");
      assert.ok(kinds("read", (v) => v.startsWith(`${alt}/projects/`)), "the third folder's");
      assert.ok(kinds("read", (v) => v.endsWith("/.claude/hooks/.env.discord")), ".env.discord");
      assert.ok(kinds("write", (v) => v.includes("/.claude/claude-dash/")), "database writes");
      assert.ok(kinds("net", (v) => v.startsWith("127.0.0.1")), "the listener");
      assert.ok(kinds("env", (v) => v === "HOME"), "HOME");
      console.log(
        `audit: ${records.length} permission checks, all inside read ~/.claude/{projects,hooks,claude-dash,settings.json} (+ projects/ of ~/.config/claude and CLAUDE_CONFIG_DIR), write ~/.claude/claude-dash, net 127.0.0.1, env HOME (+ the two root variables)`,
      );
    } finally {
      await Deno.remove(auditDir, { recursive: true });
      await h.cleanup();
    }
  },
);

Deno.test(
  "main.ts pointed at ~/.ssh or a database outside claude-dash/ stops with Deno's permission error",
  opts,
  async () => {
    const h = await makeHome();
    try {
      await Deno.mkdir(join(h.home, ".ssh"));
      const flags = await taskFlags("start", h.home);
      const env = { HOME: h.home, DENO_DIR: await denoDir() };
      const run = async (args: string[]) => {
        const out = await new Deno.Command(Deno.execPath(), {
          args: ["run", ...flags, join(root, "main.ts"), "--port", "0", ...args],
          env,
          clearEnv: true,
          stdout: "piped",
          stderr: "piped",
        }).output();
        return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
      };
      const ssh = await run(["--claude-dir", join(h.home, ".ssh")]);
      assert.notEqual(ssh.code, 0);
      assert.match(ssh.stderr, /Requires read access to ".*\/\.ssh"/);
      const db = await run(["--db", join(h.home, "elsewhere.db")]);
      assert.notEqual(db.code, 0);
      assert.match(db.stderr, /Requires write access to "/);
    } finally {
      await h.cleanup();
    }
  },
);

Deno.test(
  "under the start task's flags the server refuses an own folder, logs folder or database that is a symbolic link, and writes nothing through it",
  opts,
  async () => {
    const h = await makeHome();
    const decoy = await Deno.makeTempDir({ prefix: "claude-dash-decoy-" });
    try {
      const flags = await taskFlags("start", h.home);
      // A server that starts anyway is stopped after 15 s (and fails the code assertion).
      const run = async () => {
        const child = new Deno.Command(Deno.execPath(), {
          args: ["run", ...flags, join(root, "main.ts"), "--port", "0"],
          env: { HOME: h.home, DENO_DIR: await denoDir() },
          clearEnv: true,
          stdout: "null",
          stderr: "piped",
        }).spawn();
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        const [status, stderr] = await Promise.all([
          child.status,
          new Response(child.stderr).text(),
        ]);
        clearTimeout(timer);
        return { code: status.code, stderr };
      };
      const listing = async (dir: string) => {
        const names: string[] = [];
        for await (const e of Deno.readDir(dir)) names.push(e.name);
        return names;
      };
      const own = join(h.claudeDir, "claude-dash");
      await Deno.remove(own, { recursive: true }).catch(() => {});
      // The whole folder linked elsewhere.
      await Deno.symlink(decoy, own);
      const folder = await run();
      assert.equal(folder.code, 2, folder.stderr);
      assert.equal(
        folder.stderr.trim().split("\n").at(-1),
        `claude-dash: ${own} is a symbolic link: claude-dash does not write through links; make it a real folder or file`,
      );
      assert.deepEqual(await listing(decoy), [], "nothing written into the decoy");
      // A real folder, but its logs folder and the database's -wal linked out.
      await Deno.remove(own);
      await Deno.mkdir(own);
      await Deno.symlink(decoy, join(own, "logs"));
      const logs = await run();
      assert.equal(logs.code, 2, logs.stderr);
      assert.match(logs.stderr, /claude-dash\/logs is a symbolic link/);
      await Deno.remove(join(own, "logs"));
      await Deno.symlink(join(decoy, "wal"), join(own, "claude-dash.db-wal"));
      const wal = await run();
      assert.equal(wal.code, 2, wal.stderr);
      assert.match(wal.stderr, /claude-dash\.db-wal is a symbolic link/);
      assert.deepEqual(await listing(decoy), [], "nothing written into the decoy");
      assert.deepEqual(await listing(own), ["claude-dash.db-wal"], "no database created");
    } finally {
      await Deno.remove(decoy, { recursive: true });
      await h.cleanup();
    }
  },
);

Deno.test(
  "a watcher hint inside a folder linked out of ~/.claude, and a linked threads.db-wal, are not followed",
  opts,
  async () => {
    const h = await makeHome();
    const outside = join(h.home, "outside");
    try {
      await Deno.mkdir(outside);
      await Deno.writeTextFile(
        join(outside, "s.jsonl"),
        JSON.stringify({ type: "user", sessionId: "s", uuid: "u", message: { content: "x" } }) +
          "\n",
      );
      await Deno.symlink(outside, join(h.claudeDir, "projects/-linked"));
      await Deno.writeTextFile(join(h.claudeDir, "hooks/threads.db"), "");
      await Deno.symlink(join(outside, "s.jsonl"), join(h.claudeDir, "hooks/threads.db-wal"));
      const db = openDb(h.dbPath);
      const ingester = new Ingester({ claudeDir: h.claudeDir, db, watch: false });
      try {
        ingester.start();
        await ingester.ready;
        ingester.hint("projects/-linked/s.jsonl");
        await ingester.rescan();
        await waitFor(
          () =>
            count(
              db,
              "SELECT count(*) AS n FROM ingest_errors WHERE path = 'projects/-linked/s.jsonl'",
            ),
          3000,
          "the linked folder counted",
        );
        assert.equal(count(db, "SELECT count(*) AS n FROM events"), 0);
        const reasons =
          (db.prepare("SELECT path, reason FROM ingest_errors ORDER BY path").all() as Array<
            { path: string; reason: string }
          >).map((r) => `${r.path}: ${r.reason}`);
        assert.deepEqual(reasons, [
          "hooks/threads.db: threads.db or its -wal is a symbolic link: not followed",
          "projects/-linked/s.jsonl: inside a symbolically linked folder: not followed",
        ]);
      } finally {
        await ingester.stop();
        db.close();
      }
    } finally {
      await h.cleanup();
    }
  },
);

Deno.test(
  "deno task start's launcher runs the server with every found folder readable, passes SIGTERM on and exits with the server's code",
  opts,
  async () => {
    const h = await makeHome();
    try {
      const line = (sid: string) =>
        JSON.stringify({
          type: "user",
          sessionId: sid,
          uuid: `${sid}-u`,
          timestamp: "2025-08-01T00:00:00Z",
          message: { role: "user", content: `hello from ${sid}` },
        }) + "\n";
      const xdg = join(h.home, "xdg");
      const third = join(h.home, "third");
      const places: Array<[string, string]> = [
        [h.claudeDir, "home-1"],
        [join(xdg, "claude"), "xdg-1"],
        [third, "env-1"],
      ];
      for (const [dir, sid] of places) {
        await Deno.mkdir(join(dir, "projects/-p"), { recursive: true });
        await Deno.writeTextFile(join(dir, `projects/-p/${sid}.jsonl`), line(sid));
      }
      const words = await taskWords("start");
      assert.deepEqual(words.slice(0, 2), ["deno", "run"]);
      const child = new Deno.Command(Deno.execPath(), {
        args: [...words.slice(1), "--port", "0"],
        cwd: root,
        env: {
          HOME: h.home,
          XDG_CONFIG_HOME: xdg,
          CLAUDE_CONFIG_DIR: third,
          DENO_DIR: await denoDir(),
          PATH: Deno.env.get("PATH") ?? "",
          NO_COLOR: "1",
        },
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let url = "";
      try {
        url = await servingUrl(reader);
        const ids = async () =>
          ((await (await fetch(`${url}/api/sessions`)).json()).sessions as Array<
            { session_id: string }
          >).map((s) => s.session_id).sort();
        await waitFor(async () => (await ids()).length === 3, 10_000, "three sessions");
        assert.deepEqual(await ids(), ["env-1", "home-1", "xdg-1"]);
        type Root = { path: string; origin: string; found: boolean; transcripts: number };
        const rootsNow = async () =>
          (await (await fetch(`${url}/api/health`)).json()).ingest.roots as Root[];
        // Sessions can show before the listing has counted the roots' transcripts: the
        // usage-first pass stores usage (and its sessions) before the backfill lists.
        await waitFor(
          async () => (await rootsNow()).every((r) => r.transcripts === 1),
          10_000,
          "every root's transcript counted",
        );
        const roots = await rootsNow();
        assert.deepEqual(roots.map((r) => [r.path, r.origin, r.found, r.transcripts]), [
          [h.claudeDir, "home", true, 1],
          [join(xdg, "claude"), "xdg", true, 1],
          [third, "env", true, 1],
        ]);
      } finally {
        reader.releaseLock();
        child.kill("SIGTERM");
      }
      const status = await child.status;
      await child.stdout.cancel().catch(() => {});
      const stderr = await new Response(child.stderr).text();
      assert.equal(status.code, 0, stderr);
      await assert.rejects(fetch(`${url}/api/health`), "the server stopped with the launcher");
    } finally {
      await h.cleanup();
    }
  },
);

Deno.test("the launcher's doctor mode runs `main.ts doctor` with exactly start's permission and V8 flags, without the config", () => {
  const env = { HOME: "/home/u", XDG_CONFIG_HOME: "/xdg", CLAUDE_CONFIG_DIR: "/a,~/b" };
  const start = launchArgs("start", env, []);
  const doctor = launchArgs("doctor", env, ["--port", "9"]);
  assert.ok(Array.isArray(start) && Array.isArray(doctor));
  const perms = (argv: string[]) => argv.filter((w) => /^(--allow-|--deny-|-A$)/.test(w));
  assert.deepEqual(perms(doctor), perms(start));
  assert.deepEqual(doctor, [
    "run",
    "--no-config",
    serverV8Flags,
    "--allow-read=" + [
      ...["projects", "hooks", "claude-dash", "settings.json"].map((p) => `/home/u/.claude/${p}`),
      ...["/xdg/claude", "/a", "/home/u/b"].map((r) => `${r}/projects`),
    ].join(","),
    "--allow-write=/home/u/.claude/claude-dash",
    "--allow-net=127.0.0.1,localhost",
    "--allow-env=HOME,XDG_CONFIG_HOME,CLAUDE_CONFIG_DIR",
    "main.ts",
    "doctor",
    "--port",
    "9",
  ]);
  assert.deepEqual(launchArgs("doctor", {}, []), {
    error: "HOME is not set: cannot find ~/.claude",
  });
});
