// The secrets sweep (issue 17): every well-known key shape, with and without a variable name,
// in hook inputs, prompts, tool results and transcripts, plus the values of .env.discord (a
// real file, then a symbolic link to a file outside ~/.claude, as dotfile managers make it),
// never appears in any route, page, search snippet, export, SSE or WebSocket message of a
// server started the way `deno task start` starts it. Not the whole key, nor any 12 characters
// of it: search queries pick words right next to the keys, so a snippet window starts or ends
// inside one.

import assert from "node:assert/strict";
import { join } from "node:path";
import { createApp } from "../src/http/app.ts";
import { LiveBus } from "../src/live/bus.ts";
import { assets } from "../src/web/assets.gen.ts";
import { makeHome, type TestHome } from "./support/home.ts";
import { type Served, serveReady } from "./support/served.ts";
import { SseClient } from "./support/sse.ts";
import { waitFor } from "./support/wait.ts";
import { readBody } from "./support/body.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

// Built from parts so no key-shaped literal sits in the source.
const r = "Hq4mZ8xT2vK6pW9nB3cR7yL5";
const shapes = {
  anthropic: `sk-ant-api03-${r}dF0gJ1sA-Ue8Io2Pa`,
  openai: `sk-${r}Ue8Io2PaQ3wE5rT7yU9i`,
  openaiProject: `sk-proj-${r}_Ue8Io2Pa-Q3wE5rT7yU9i`,
  githubPat: `ghp_${r}Ue8Io2PaQ3wE`,
  githubOauth: `gho_${r}Ue8Io2PaQ3wF`,
  githubServer: `ghs_${r}Ue8Io2PaQ3wG`,
  githubUser: `ghu_${r}Ue8Io2PaQ3wH`,
  githubRefresh: `ghr_${r}Ue8Io2PaQ3wJ`,
  githubFine: `github_pat_11AB${r}_Ue8Io2PaQ3wE5rT7yU9iOp`,
  aws: "AKIA" + "HQ4MZ8XT2VK6PW9N",
  awsSession: "ASIA" + "HQ4MZ8XT2VK6PW9M",
  slack: `xoxb-482910375612-5829103756128-${r}`,
  google: `AIzaSy${r}Ue8Io2PaQ3`,
  discordBot: `MTA5ODc2NTQzMjEwOTg3NjU0Mw.Gk3Lm9.${r}Ue8Io2Pa`,
  jwt: `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzd2VlcCJ9.${r}Ue8Io2`,
};
const pemBody = `MIIEowIBAAKCAQEA${r}\n${r.split("").reverse().join("")}Ue8Io2Pa==`;
const pem = `-----BEGIN RSA PRIVATE KEY-----\n${pemBody}\n-----END RSA PRIVATE KEY-----`;
/** Values only .env.discord knows (no shape): masked because the file names them. */
const envValues = {
  signing: "Sweep-Signing-Value-Kq72Zx",
  bare: "Sweep-Bare-Decoy-Value-Wm38",
};
const shapeList = Object.values(shapes);
const secrets = [...shapeList, ...pemBody.split("\n"), ...Object.values(envValues)];

/** Every 12-character piece of every secret. */
const pieces = [
  ...new Set(secrets.flatMap((s) => {
    const out: string[] = [];
    for (let i = 0; i + 12 <= s.length; i++) out.push(s.slice(i, i + 12));
    return out;
  })),
];

function assertNoSecret(where: string, text: string): void {
  for (const p of pieces) {
    const at = text.indexOf(p);
    assert.ok(at === -1, `${where} serves "${p}" of a secret: …${text.slice(at - 60, at + 60)}…`);
  }
}

/** Words placed right after each key (search for them: the snippet window ends in the key). */
const after = (i: number) => `zafter${i}`;
/** Words placed right before each key (the window starts in the key). */
const before = (i: number) => `zbefore${i}`;
const filler = Array.from({ length: 30 }, (_, i) => `filler${i}`).join(" ");
/**
 * Words after a secret, each its own query: a snippet window (24 tokens) is placed about 11
 * tokens before its hit, so the window of the j-th word starts j tokens further into the secret
 * (measured with SQLite's FTS5 snippet()); together they cut every secret at every token.
 */
const cutWords = 13;
const cutWord = (i: number, j: number) => `zcut${i}n${j}`;
const cutTail = (i: number) => Array.from({ length: cutWords }, (_, j) => cutWord(i, j)).join(" ");

/** Each key bare, after a flag, in a quoted assignment and with a variable name. */
function contexts(key: string, i: number): string[] {
  return [
    `${filler} ${before(i)} echo ${key} ${after(i)} ${filler}`,
    `${before(i)} --api-key ${key} ${after(i)}`,
    `const key="${key}"; ${after(i)}`,
    `my key is ${key} ${after(i)}`,
    `${before(i)} API_TOKEN=${key} ${after(i)}`,
  ];
}

async function writeHome(h: TestHome, envAs: "file" | "symlink"): Promise<void> {
  const env = [
    `DISCORD_SIGNING_SECRET='${envValues.signing}'`,
    `DISCORD_BOT_TOKEN=${shapes.discordBot}`,
    `EXTRA=${envValues.bare}`,
  ].join("\n") + "\n";
  const envPath = join(h.claudeDir, "hooks/.env.discord");
  if (envAs === "file") await Deno.writeTextFile(envPath, env);
  else {
    // The decoy file lives outside ~/.claude, as a dotfile manager keeps it.
    await Deno.mkdir(join(h.home, "dotfiles"));
    await Deno.writeTextFile(join(h.home, "dotfiles/env.discord"), env);
    await Deno.symlink(join(h.home, "dotfiles/env.discord"), envPath);
  }
  const t = Date.now() - 120_000;
  const at = (i: number) => new Date(t + i * 100).toISOString();
  let n = 0;
  const writeHook = async (p: Record<string, unknown>) => {
    n++;
    const payload = { session_id: "sweep-hooks", cwd: "/work/sweep", timestamp: at(n), ...p };
    await Deno.writeTextFile(
      join(h.claudeDir, `hooks/logs/raw_json/2026${String(n).padStart(4, "0")}_sweep.json`),
      JSON.stringify(payload),
    );
  };
  const all = Object.values(shapes);
  for (const [i, key] of all.entries()) {
    const [bare, flag, quoted, sentence, named] = contexts(key, i);
    await writeHook({
      hook_event_name: "PreToolUse",
      tool_name: "Bash",
      tool_use_id: `toolu_sweep_${i}`,
      tool_input: { command: bare, description: flag },
    });
    await writeHook({ hook_event_name: "UserPromptSubmit", prompt: sentence });
    await writeHook({
      hook_event_name: "PostToolUse",
      tool_name: "Bash",
      tool_use_id: `toolu_sweep_${i}`,
      tool_input: { command: quoted },
      tool_response: { stdout: named, stderr: `${before(i)} ${key}` },
    });
    await writeHook({
      hook_event_name: "Notification",
      message: `${before(i)} ${key} ${after(i)}`,
    });
  }
  for (const [i, secret] of [...all, pem, envValues.bare, envValues.signing].entries()) {
    await writeHook({
      hook_event_name: "UserPromptSubmit",
      prompt: `${filler} ${secret} ${cutTail(i)} ${filler}`,
    });
  }
  await writeHook({
    hook_event_name: "UserPromptSubmit",
    prompt: `${filler} zbeforeenv my key is ${envValues.bare} zafterenv and ${envValues.signing}`,
  });
  await writeHook({
    hook_event_name: "PostToolUseFailure",
    tool_name: "Bash",
    tool_use_id: "toolu_sweep_pem",
    tool_input: { command: "cat id_rsa" },
    error: `zbeforepem ${pem} zafterpem`,
  });
  // A transcript: keys in user text, tool_use input and tool_result content.
  const lines: unknown[] = [];
  const line = (i: number, message: unknown, type = "user") =>
    lines.push({
      type,
      sessionId: "sweep-transcript",
      uuid: `sweep-u-${i}-${type}`,
      timestamp: at(200 + lines.length),
      cwd: "/work/sweep",
      message,
    });
  for (const [i, key] of all.entries()) {
    const [bare, flag, , sentence] = contexts(key, i);
    line(i, { role: "user", content: sentence });
    line(i, {
      id: `msg_sweep_${i}`,
      model: "claude-sonnet-4-5",
      role: "assistant",
      content: [
        { type: "text", text: flag },
        { type: "tool_use", id: `toolu_tr_${i}`, name: "Bash", input: { command: bare } },
      ],
      usage: { input_tokens: 10, output_tokens: 5 },
    }, "assistant");
    line(i + 100, {
      role: "user",
      content: [{
        type: "tool_result",
        tool_use_id: `toolu_tr_${i}`,
        content: [{ type: "text", text: `${before(i)} ${key} ${after(i)} ${pem}` }],
      }],
    });
  }
  line(999, { role: "user", content: `zbeforeenv2 ${envValues.bare} zafterenv2` });
  await Deno.mkdir(join(h.claudeDir, "projects/-work-sweep"), { recursive: true });
  await Deno.writeTextFile(
    join(h.claudeDir, "projects/-work-sweep/sweep-transcript.jsonl"),
    lines.map((l) => JSON.stringify(l)).join("\n") + "\n",
  );
}

/** Every GET route of the app with its parameters filled in, plus the search and export URLs. */
function sweepUrls(s: Served, h: TestHome): string[] {
  const routes = createApp({
    db: s.db,
    bus: new LiveBus(),
    ingester: null,
    claudeDir: h.claudeDir,
    dbPath: h.dbPath,
    startedAt: Date.now(),
  }).routes.filter((r) => r.method === "GET" && !r.path.includes("*"));
  const ids = (s.db.prepare("SELECT id FROM events ORDER BY id").all()).map((r) => String(r.id));
  const sessions = ["sweep-hooks", "sweep-transcript"];
  const urls = new Set<string>();
  for (const { path } of routes) {
    if (/\/(stream|ws)$/.test(path)) continue; // the streams are read on their own
    let variants = [path];
    for (const m of path.matchAll(/:(\w+)(\{[^}]*\})?/g)) {
      const values: string[] = path.startsWith("/static")
        ? Object.keys(assets)
        : m[2]?.includes("0-9")
        ? ids
        : [...sessions, ids[0], "Bash"];
      variants = variants.flatMap((v) => values.map((x) => v.replace(m[0], x)));
    }
    for (const v of variants) {
      urls.add(v);
      for (const session of sessions) urls.add(`${v}?session=${session}&limit=500`);
    }
  }
  const words = [
    ...shapeList.flatMap((_, i) => [after(i), before(i)]),
    "zbeforeenv",
    "zafterenv",
    "zafterenv2",
    "zbeforepem",
    "zafterpem",
    "filler29",
    "zafter*",
    "zbefore*",
  ];
  for (const q of words) {
    const e = encodeURIComponent(q);
    urls.add(`/api/search?q=${e}&limit=100`);
    urls.add(`/events?q=${e}`);
    urls.add(`/api/events?q=${e}&limit=500`);
  }
  // Each secret cut at every token (see cutWord): JSON search, and the page for a few.
  for (let i = 0; i < shapeList.length + 3; i++) {
    for (let j = 0; j < cutWords; j++) {
      urls.add(`/api/search?q=${cutWord(i, j)}&limit=5`);
      if (j % 4 === 0) urls.add(`/events?q=${cutWord(i, j)}`);
    }
  }
  for (const format of ["csv", "jsonl"]) {
    urls.add(`/api/export?format=${format}`);
    urls.add(`/api/export?format=${format}&q=zafter*`);
  }
  return [...urls];
}

async function sweep(envAs: "file" | "symlink"): Promise<void> {
  const h = await makeHome();
  let s: Served | null = null;
  let sse: SseClient | null = null;
  let ws: WebSocket | null = null;
  try {
    await writeHome(h, envAs);
    s = await serveReady(h, { args: ["--rate-limit", "0"] });
    // /api/health says the file (or the link's target) was read.
    assert.match(JSON.stringify((await s.health()).ingest), /"secretsFile":"read"/);
    const stored = Number(s.db.prepare("SELECT count(*) AS n FROM events").get()?.n);
    assert.ok(stored >= shapeList.length * 7, `events stored: ${stored}`);

    const wsMessages: string[] = [];
    sse = new SseClient(`${s.url}/api/stream?last_event_id=0`);
    ws = new WebSocket(`${s.url.replace("http", "ws")}/api/ws?last_event_id=0`);
    ws.onmessage = (e) => wsMessages.push(String(e.data));

    const urls = sweepUrls(s, h);
    let ok = 0;
    let masked = 0;
    let snippets = 0;
    for (const url of urls) {
      const accepts = url.startsWith("/api/search?q=zcut")
        ? ["application/json"]
        : ["text/html", "application/json"];
      for (const accept of accepts) {
        const res = await fetch(`${s.url}${url}`, { headers: { Accept: accept } });
        const body = await readBody(res);
        assertNoSecret(`${envAs}: GET ${url} (${accept}) → ${res.status}`, body);
        if (res.status === 200) ok++;
        if (body.includes("[masked]")) masked++;
        if (url.startsWith("/api/search") && body.includes('"snippet":"')) snippets++;
      }
    }
    assert.ok(ok >= 40, `${ok} answers were 200 of ${urls.length * 2}`);
    assert.ok(masked >= 20, `masked values were served (${masked} answers)`);
    assert.ok(snippets >= shapeList.length, `search answered with snippets (${snippets})`);

    // The streams: the replay, then a live event carrying every key.
    await waitFor(() => sse!.messages.length > 10, 10_000, "SSE replay");
    await waitFor(() => wsMessages.length > 10, 10_000, "WebSocket replay");
    await Deno.writeTextFile(
      join(h.claudeDir, "hooks/logs/raw_json/20269999_live_sweep.json"),
      JSON.stringify({
        session_id: "sweep-live",
        hook_event_name: "UserPromptSubmit",
        prompt: `zlive ${shapeList.join(" ")} ${envValues.bare} ${pem}`,
      }),
    );
    await waitFor(
      () => sse!.messages.some((m) => m.data.includes("zlive")),
      15_000,
      "the live event over SSE",
    );
    await waitFor(
      () => wsMessages.some((m) => m.includes("zlive")),
      15_000,
      "the live event over WebSocket",
    );
    const sseText = sse.messages.map((m) => m.data).join("\n");
    assertNoSecret(`${envAs}: SSE`, sseText);
    assertNoSecret(`${envAs}: WebSocket`, wsMessages.join("\n"));
    assert.match(sseText, /\[masked\]/);
  } finally {
    await sse?.close();
    ws?.close();
    await s?.stop();
    await h.cleanup();
  }
}

Deno.test(
  "secrets sweep: no key shape or .env.discord value in any route, page, snippet, export or stream",
  opts,
  () => sweep("file"),
);

Deno.test(
  "secrets sweep: a .env.discord that is a symbolic link to a file outside ~/.claude masks its values too",
  opts,
  () => sweep("symlink"),
);
