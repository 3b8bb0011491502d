// Web guards and secrets: loopback Host only, same-Origin WebSockets and state changes, the
// live connection cap, the rate limit, the static route, security headers, and that no
// route, page or stream ever serves a secret from .env.discord or an env-like payload field.
// Every server here is spawned under the start task's flags.

import assert from "node:assert/strict";
import { join } from "node:path";
import { openDb } from "../src/store/db.ts";
import { LiveBus } from "../src/live/bus.ts";
import { createApp } from "../src/http/app.ts";
import { maxLiveClients, rateLimitRequestsPerMin } from "../src/core/config.ts";
import { RateLimiter } from "../src/http/middleware/rate_limit.ts";
import { parseArgs } from "../src/commands/cli.ts";
import { assets } from "../src/web/assets.gen.ts";
import {
  envFileValues,
  maskJson,
  maskJsonText,
  maskSecrets,
  rememberSecrets,
  safeStringify,
} from "../src/core/secrets.ts";
import { ingestErrors } from "../src/store/read/metrics.ts";
import { sessionToolCalls } from "../src/store/read/tool_calls.ts";
import { eventDetail, eventsPage } from "../src/store/read/events.ts";
import { sessionById } from "../src/store/read/sessions.ts";
import { makeHome, writeFixtures } from "./support/home.ts";
import { rawGet, rawRequest, wsHandshake } from "./support/raw_http.ts";
import { SseClient } from "./support/sse.ts";
import { waitFor } from "./support/wait.ts";
import { serveReady } from "./support/served.ts";
import { liveClients, pollUntil, serveQuiet } from "./support/served_extra.ts";
import { readBody } from "./support/body.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

interface WsProbe {
  ws: WebSocket;
  opened: boolean;
  closed: Promise<{ code: number; reason: string }>;
  messages: string[];
}

function openWs(url: string, headers?: Record<string, string>): WsProbe {
  const ws = headers ? new WebSocket(url, { headers } as unknown as string[]) : new WebSocket(url);
  const probe: WsProbe = {
    ws,
    opened: false,
    closed: Promise.resolve({ code: 0, reason: "" }),
    messages: [],
  };
  ws.onopen = () => (probe.opened = true);
  ws.onmessage = (e) => probe.messages.push(String(e.data));
  ws.onerror = () => {};
  probe.closed = new Promise((resolve) => {
    ws.onclose = (e) => resolve({ code: e.code, reason: e.reason });
  });
  return probe;
}

// ---- Host and Origin ----

Deno.test(
  "a request addressed to a non-loopback Host (DNS rebinding) is refused with 421 on every route",
  opts,
  async () => {
    const h = await makeHome();
    const d = await serveReady(h);
    try {
      for (const host of ["evil.example", "127.0.0.1.evil.example", "localhost.evil.example:80"]) {
        for (const path of ["/", "/health", "/api/sessions", "/api/stream"]) {
          const res = await rawGet(d.port, path, { Host: host });
          assert.equal(res.status, 421, `${host} ${path}: ${res.text.slice(0, 80)}`);
        }
      }
      const ws = await rawRequest(d.port, [
        "GET /api/ws HTTP/1.1",
        "Host: evil.example",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
      ]);
      assert.equal(ws.status, 421, "a WebSocket upgrade for a foreign Host");
      for (const host of [`127.0.0.1:${d.port}`, `localhost:${d.port}`, `[::1]:${d.port}`]) {
        assert.equal((await rawGet(d.port, "/health", { Host: host })).status, 200, host);
      }
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

Deno.test(
  "a WebSocket upgrade or a POST from a foreign Origin is refused; the dashboard's own Origin is served",
  opts,
  async () => {
    const h = await makeHome();
    const d = await serveReady(h);
    try {
      for (const origin of ["http://evil.example", "null", `http://127.0.0.1:${d.port + 1}`]) {
        const res = await wsHandshake(d.port, "/api/ws", origin);
        assert.equal(res.status, 403, `WebSocket from ${origin}`);
      }
      const own = await wsHandshake(d.port, "/api/ws", `http://127.0.0.1:${d.port}`);
      assert.equal(own.status, 101, "a WebSocket from the dashboard's own page");

      // A real client too: the foreign one never opens, the own one gets the hello.
      const foreign = openWs(`ws://127.0.0.1:${d.port}/api/ws`, { Origin: "http://evil.example" });
      await foreign.closed;
      assert.equal(foreign.opened, false);
      const mine = openWs(`ws://127.0.0.1:${d.port}/api/ws`, {
        Origin: `http://127.0.0.1:${d.port}`,
      });
      await waitFor(() => mine.messages.length > 0, 2000, "hello from the own-origin WebSocket");
      assert.match(mine.messages[0], /"hello"/);
      mine.ws.close();

      const page = await (await fetch(`${d.url}/`)).text();
      const token = page.match(/<meta name="csrf-token" content="([^"]+)"/)?.[1] ?? "";
      assert.ok(token.length >= 40, "the page embeds the CSRF token");
      for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
        const res = await fetch(`${d.url}/api/settings`, {
          method,
          headers: { Origin: "https://evil.example", "Content-Type": "application/json" },
          body: "{}",
        });
        assert.equal(res.status, 403, `${method} from a foreign Origin`);
        await res.body?.cancel();
        const noToken = await fetch(`${d.url}/api/settings`, {
          method,
          headers: { Origin: d.url, "Content-Type": "application/json" },
          body: "{}",
        });
        assert.equal(noToken.status, 403, `${method} from the own Origin without the CSRF token`);
        await noToken.body?.cancel();
        const same = await fetch(`${d.url}/api/settings`, {
          method,
          headers: { Origin: d.url, "Content-Type": "application/json", "X-CSRF-Token": token },
          body: "{}",
        });
        assert.notEqual(same.status, 403, `${method} from the own page passes the guard`);
        await same.body?.cancel();
      }
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

// ---- live connection cap ----

Deno.test(
  "past the live connection cap an SSE client gets 503 and a WebSocket is closed with 4003; a freed slot is reused",
  opts,
  async () => {
    const h = await makeHome();
    // No rate limit here: the waits below ask /api/health for the live client count.
    const d = await serveReady(h, { args: ["--max-clients", "3", "--rate-limit", "0"] });
    const clients: SseClient[] = [];
    const sockets: WsProbe[] = [];
    try {
      for (let i = 0; i < 2; i++) clients.push(new SseClient(`${d.url}/api/stream`));
      sockets.push(openWs(`ws://127.0.0.1:${d.port}/api/ws`));
      await pollUntil(async () => (await liveClients(d)) === 3, 2000, "3 live clients");
      await waitFor(() => clients.every((c) => c.status === 200), 2000, "SSE 200s");

      const extraSse = new SseClient(`${d.url}/api/stream`);
      await extraSse.done;
      assert.equal(extraSse.status, 503);
      const res = await fetch(`${d.url}/api/stream`);
      assert.equal(res.status, 503);
      assert.equal(res.headers.get("Retry-After"), "5");
      assert.match((await res.json()).error, /too many live connections/);

      const extraWs = openWs(`ws://127.0.0.1:${d.port}/api/ws`);
      assert.deepEqual(await extraWs.closed, { code: 4003, reason: "too many connections" });
      assert.equal(await liveClients(d), 3, "refused clients hold no slot");

      await clients.pop()!.close();
      await pollUntil(async () => (await liveClients(d)) === 2, 2000, "slot freed");
      const again = new SseClient(`${d.url}/api/stream`);
      clients.push(again);
      await waitFor(() => again.messages.some((m) => m.event === "hello"), 2000, "hello");
      assert.equal(again.status, 200);
    } finally {
      for (const c of clients) await c.close();
      for (const s of sockets) s.ws.close();
      await d.stop();
      await h.cleanup();
    }
  },
);

Deno.test(
  "at the default cap of 200 live connections the 201st SSE gets 503 and the 201st WebSocket 4003",
  opts,
  async () => {
    assert.equal(maxLiveClients, 200);
    const h = await makeHome();
    // Without --max-clients; no rate limit, for the /api/health polls below.
    const d = await serveReady(h, { args: ["--rate-limit", "0"] });
    const clients: SseClient[] = [];
    const sockets: WsProbe[] = [];
    try {
      for (let i = 0; i < 100; i++) clients.push(new SseClient(`${d.url}/api/stream`));
      for (let i = 0; i < 100; i++) sockets.push(openWs(`ws://127.0.0.1:${d.port}/api/ws`));
      await pollUntil(async () => (await liveClients(d)) === 200, 10_000, "200 live clients");
      await waitFor(() => sockets.every((s) => s.opened), 10_000, "100 WebSockets open");

      const sse = await fetch(`${d.url}/api/stream`);
      assert.equal(sse.status, 503);
      assert.equal((await sse.json()).limit, 200, "the default cap");
      const ws = openWs(`ws://127.0.0.1:${d.port}/api/ws`);
      assert.deepEqual(await ws.closed, { code: 4003, reason: "too many connections" });
      assert.equal(await liveClients(d), 200);
    } finally {
      for (const c of clients) await c.close();
      for (const s of sockets) s.ws.close();
      await d.stop();
      await h.cleanup();
    }
  },
);

// ---- rate limit ----

Deno.test("the rate limiter allows a burst of its per-minute limit, then refills evenly", () => {
  let now = 1_000_000;
  const rl = new RateLimiter({ perMin: 1000, now: () => now });
  for (let i = 0; i < 1000; i++) assert.equal(rl.take("a"), 0, `request ${i + 1}`);
  assert.equal(rl.take("a"), 1, "the 1001st waits (Retry-After 1 s)");
  assert.equal(rl.take("b"), 0, "another client has its own bucket");
  now += 60; // 1,000 per minute = one every 60 ms
  assert.equal(rl.take("a"), 0);
  assert.equal(rl.take("a"), 1);
  now += 60_000;
  for (let i = 0; i < 1000; i++) assert.equal(rl.take("a"), 0, "full again after a minute");
  assert.equal(rl.take("a"), 1, "never more than the burst");

  const slow = new RateLimiter({ perMin: 6, now: () => now });
  for (let i = 0; i < 6; i++) slow.take("x");
  assert.equal(slow.take("x"), 10, "Retry-After is the wait for the next request");

  const small = new RateLimiter({ perMin: 10, maxClients: 3, now: () => now });
  for (const c of ["1", "2", "3", "4", "5"]) small.take(c);
  assert.equal(small.size, 3, "memory stays bounded by maxClients");
  assert.equal(new RateLimiter({ perMin: 0 }).take("z"), 0, "0 turns it off");
});

Deno.test("--rate-limit N sets the per-client limit (0 turns it off); anything else is refused", () => {
  const run = parseArgs(["--rate-limit", "0"], "/h");
  assert.equal(run.kind === "run" && run.options.rateLimitPerMin, 0);
  const set = parseArgs(["--rate-limit=5000"], "/h");
  assert.equal(set.kind === "run" && set.options.rateLimitPerMin, 5000);
  const unset = parseArgs([], "/h");
  assert.equal(unset.kind === "run" && unset.options.rateLimitPerMin, undefined);
  assert.deepEqual(parseArgs(["--rate-limit", "-1"], "/h"), {
    kind: "error",
    message: '--rate-limit needs a number of requests per minute (0 = off), got "-1"',
  });
  assert.equal(parseArgs(["--rate-limit", "lots"], "/h").kind, "error");
});

Deno.test("--max-clients N sets the live connection cap; 0 or anything else is refused", () => {
  const set = parseArgs(["--max-clients", "3"], "/h");
  assert.equal(set.kind === "run" && set.options.maxClients, 3);
  const unset = parseArgs([], "/h");
  assert.equal(unset.kind === "run" && unset.options.maxClients, undefined);
  assert.deepEqual(parseArgs(["--max-clients", "0"], "/h"), {
    kind: "error",
    message: '--max-clients needs a number from 1, got "0"',
  });
  assert.equal(parseArgs(["--max-clients=many"], "/h").kind, "error");
});

Deno.test(
  `a client over ${rateLimitRequestsPerMin} requests a minute gets 429 with Retry-After on any route`,
  opts,
  async () => {
    assert.equal(rateLimitRequestsPerMin, 1000);
    const h = await makeHome();
    // Started without a request to it: the bucket is full when the count below begins.
    const d = await serveQuiet(h, []);
    try {
      let ok = 0;
      let limited: Response | null = null;
      const t0 = performance.now();
      while (!limited && ok < 5000) {
        const batch = await Promise.all(
          Array.from({ length: 25 }, () => fetch(`${d.url}/no-such-route`)),
        );
        for (const r of batch) {
          if (r.status === 429 && !limited) {
            limited = r;
            continue;
          }
          if (r.status !== 429) {
            assert.equal(r.status, 404);
            ok++;
          }
          await r.body?.cancel();
        }
      }
      const seconds = (performance.now() - t0) / 1000;
      assert.ok(limited, "no 429 at all");
      // A token bucket: the burst, plus what refilled (1,000/min) while the loop ran.
      assert.ok(ok >= 1000, `only ${ok} requests passed`);
      assert.ok(ok <= 1000 + Math.ceil(seconds * 1000 / 60) + 25, `${ok} passed in ${seconds} s`);
      const wait = Number(limited.headers.get("Retry-After"));
      assert.ok(Number.isInteger(wait) && wait >= 1, `Retry-After ${wait}`);
      assert.match((await limited.json()).error, /too many requests: at most 1000 per minute/);
      // A burst, as the loop's: a token refilled since (one per 60 ms) may let one through.
      const pages = await Promise.all(Array.from({ length: 25 }, () => fetch(`${d.url}/`)));
      const page = pages.find((r) => r.status === 429);
      assert.ok(page, "pages are limited too");
      assert.match(page.headers.get("Content-Security-Policy") ?? "", /frame-ancestors 'none'/);
      for (const r of pages) await r.body?.cancel();
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

Deno.test(
  "a live stream counts as one request at connect, however many events it then receives",
  opts,
  async () => {
    const h = await makeHome();
    const d = await serveQuiet(h, ["--rate-limit", "5"]);
    const client = new SseClient(`${d.url}/api/stream`);
    try {
      await waitFor(() => client.messages.some((m) => m.event === "hello"), 2000, "hello");
      for (let i = 0; i < 10; i++) {
        const payload = {
          session_id: "rl-1",
          hook_event_name: "Notification",
          message: `rate-limit event ${i}`,
        };
        Deno.writeTextFileSync(
          join(h.claudeDir, "hooks/logs/raw_json", `2025080${i}_Notification_rl-1.json`),
          JSON.stringify(payload),
        );
      }
      await waitFor(() => client.events().length >= 10, 3000, "10 events over SSE");
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await fetch(`${d.url}/health`);
        statuses.push(r.status);
        await r.body?.cancel();
      }
      assert.deepEqual(statuses, [200, 200, 200, 200, 429], "1 stream + 4 requests = the limit");
    } finally {
      await client.close();
      await d.stop();
      await h.cleanup();
    }
  },
);

// ---- static route and headers ----

Deno.test(
  "the static route serves only embedded assets: .., encoded, double-encoded and absolute names are 404",
  opts,
  async () => {
    const h = await makeHome();
    const d = await serveReady(h);
    try {
      const bad = [
        "/static/..%2f..%2fdeno.json",
        "/static/..%2F..%2Fdeno.json",
        "/static/%2e%2e%2f%2e%2e%2fdeno.json",
        "/static/%2e%2e/%2e%2e/deno.json",
        "/static/../../deno.json",
        "/static/../deno.json",
        "/static/..",
        "/static/%2e%2e",
        "/static/..%252f..%252fdeno.json",
        "/static/%252e%252e%252f%252e%252e%252fdeno.json",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/static/%2Fetc%2Fpasswd",
        "/static/..%5c..%5cdeno.json",
        "/static/file:%2f%2f%2fetc%2fpasswd",
        "/static/__proto__",
        "/static/constructor",
        "/static/hasOwnProperty",
        `/static/${Object.keys(assets)[0]}%00`,
        `/static/${Object.keys(assets)[0]}%2f..%2f..%2fdeno.json`,
      ];
      for (const path of bad) {
        const res = await rawGet(d.port, path);
        assert.equal(res.status, 404, `${path}: ${res.text.slice(0, 120)}`);
        assert.ok(!res.body.includes('"tasks"') && !res.body.includes("root:"), path);
      }
      for (const path of ["/static/..%2f..%2fdeno.json", "/static/%2e%2e%2fmain.ts"]) {
        const res = await fetch(`${d.url}${path}`);
        assert.equal(res.status, 404, path);
        assert.ok(!(await res.text()).includes('"tasks"'));
      }
      for (const [name, asset] of Object.entries(assets)) {
        const res = await fetch(`${d.url}/static/${name}`);
        assert.equal(res.status, 200, name);
        assert.equal(res.headers.get("Content-Type"), asset.type);
        assert.equal(res.headers.get("X-Content-Type-Options"), "nosniff");
        assert.equal(await res.text(), asset.body);
      }
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

Deno.test(
  "pages, API answers and errors carry CSP without inline script, nosniff, no-referrer and frame-ancestors 'none'",
  opts,
  async () => {
    const h = await makeHome();
    await writeFixtures(h.claudeDir);
    const d = await serveReady(h);
    try {
      const cases: Array<[string, Record<string, string>]> = [
        ["/", { Accept: "text/html" }],
        ["/health", { Accept: "text/html" }],
        ["/api/health", {}],
        ["/api/sessions", {}],
        ["/no-such-route", {}],
        ["/api/events?limit=abc", {}],
      ];
      for (const [path, headers] of cases) {
        const res = await fetch(`${d.url}${path}`, { headers });
        const csp = res.headers.get("Content-Security-Policy") ?? "";
        const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? "";
        assert.equal(scriptSrc, "'self'", `${path}: ${csp}`);
        assert.match(csp, /default-src 'self'/);
        assert.match(csp, /frame-ancestors 'none'/);
        assert.match(csp, /object-src 'none'/);
        assert.equal(res.headers.get("X-Content-Type-Options"), "nosniff", path);
        assert.equal(res.headers.get("Referrer-Policy"), "no-referrer", path);
        assert.equal(res.headers.get("X-Frame-Options"), "DENY", path);
        const body = await res.text();
        if ((res.headers.get("Content-Type") ?? "").startsWith("text/html")) {
          const scripts = [...body.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]);
          assert.ok(scripts.length > 0, `${path} loads its island bundle`);
          for (const tag of scripts) {
            assert.match(tag, /\ssrc="\/static\//, `inline script: ${tag}`);
          }
        }
      }
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

// ---- secrets ----

Deno.test("secret masking: env-like names, Bearer, webhook URLs, URL passwords; ordinary text kept", () => {
  const cases: Array<[string, string]> = [
    [
      "export GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz012345 && gh pr list",
      "export GITHUB_TOKEN=ghp_…[masked] && gh pr list",
    ],
    ['ANTHROPIC_API_KEY="sk-ant-short" claude', 'ANTHROPIC_API_KEY="[masked]" claude'],
    [
      "AWS_SECRET=abc12345 PGPASSWORD=hunter22 DB_PASS=x1",
      "AWS_SECRET=[masked] PGPASSWORD=[masked] DB_PASS=[masked]",
    ],
    [
      '{"password": "hunter22", "api_key": "k-123"}',
      '{"password": "[masked]", "api_key": "[masked]"}',
    ],
    ["curl -H 'Authorization: Bearer abcdef123456'", "curl -H 'Authorization: Bearer [masked]'"],
    ["Authorization: token abcdef123456", "Authorization: token [masked]"],
    [
      "post to https://discord.com/api/webhooks/123456/AbC-dEf_123 now",
      "post to https://discord.com/api/webhooks/[masked] now",
    ],
    [
      "https://canary.discordapp.com/api/v10/webhooks/1/x",
      "https://canary.discordapp.com/api/v10/webhooks/[masked]",
    ],
    ["https://hooks.slack.com/services/T0/B0/XyZ", "https://hooks.slack.com/services/[masked]"],
    [
      "git clone https://me:s3cret@github.com/x.git",
      "git clone https://me:[masked]@github.com/x.git",
    ],
    // variables and ordinary words stay
    ['GITHUB_TOKEN="$GH" FOO_KEY=${{ secrets.X }}', 'GITHUB_TOKEN="$GH" FOO_KEY=${{ secrets.X }}'],
    [
      "max_tokens: 100, input_tokens 5, cache_key = k, monkey",
      "max_tokens: 100, input_tokens 5, cache_key = k, monkey",
    ],
    ["Read the token usage report", "Read the token usage report"],
  ];
  for (const [input, want] of cases) {
    assert.equal(maskSecrets(input), want, input);
    assert.equal(maskSecrets(want), want, `idempotent: ${want}`);
  }
  assert.deepEqual(
    maskJson({
      env: { GITHUB_TOKEN: "abc123456", PASSWORD: 1234, port: 80 },
      cmd: ["PASSWORD=x9"],
    }),
    {
      env: { GITHUB_TOKEN: "[masked]", PASSWORD: "[masked]", port: 80 },
      cmd: ["PASSWORD=[masked]"],
    },
  );
  const deep = "[".repeat(100_000) + '"TOKEN=abcdefgh"' + "]".repeat(100_000);
  assert.ok(maskJsonText(deep).includes("TOKEN=[masked]"), "deep JSON is walked without recursion");
});

Deno.test("values from .env.discord are masked wherever they appear, also escaped or cut off", () => {
  const env = [
    "# the notifier",
    "DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/42/literal-one-abcdef",
    'export DISCORD_BOT_TOKEN="Lit3ralBotToken.value-xyz"',
    "DISCORD_NAME='x' # too short to mask",
    "DISCORD_FLAG=true",
    "",
  ].join("\n");
  assert.deepEqual(envFileValues(env), [
    "https://discord.com/api/webhooks/42/literal-one-abcdef",
    "Lit3ralBotToken.value-xyz",
    "x",
    "true",
  ]);
  rememberSecrets(envFileValues(env));
  assert.equal(maskSecrets("echo Lit3ralBotToken.value-xyz"), "echo Lit3…[masked]");
  assert.equal(maskSecrets("a summary cut at Lit3ralBotToken.va…"), "a summary cut at [masked]…");
  assert.equal(maskSecrets("x true x"), "x true x", "short and boolean values are not literals");
  const json = safeStringify({ summary: 'say "Lit3ralBotToken.value-xyz"' });
  assert.ok(!json.includes("Lit3ralBotToken.value-xyz"), json);
});

Deno.test(
  "a route that forgets to mask still cannot send a known .env.discord value: the guards mask JSON and HTML bodies",
  async () => {
    const h = await makeHome();
    const db = openDb(h.dbPath);
    try {
      const leaked = "Forgotten-Route-Secret-0123456789";
      rememberSecrets([leaked]);
      const app = createApp({
        db,
        bus: new LiveBus(),
        ingester: null,
        claudeDir: h.claudeDir,
        dbPath: h.dbPath,
        startedAt: Date.now(),
      });
      app.get("/test-leak.json", (c) => c.json({ value: leaked, escaped: `say "${leaked}"` }));
      app.get("/test-leak.html", (c) => c.html(`<p title="${leaked}">${leaked}</p>`));
      for (const path of ["/test-leak.json", "/test-leak.html"]) {
        const res = await app.request(`http://127.0.0.1${path}`, {
          headers: { Host: "127.0.0.1" },
        });
        assert.equal(res.status, 200);
        const body = await res.text();
        assert.ok(!body.includes(leaked), `${path}: ${body}`);
        assert.match(body, /Forg…\[masked\]/);
        assert.match(res.headers.get("Content-Security-Policy") ?? "", /script-src 'self'/);
      }
    } finally {
      db.close();
      await h.cleanup();
    }
  },
);

/** Secrets planted in a fake ~/.claude; none may ever be served. */
const webhookToken = "wHk9f8e7d6c5b4a3210ZyXwVuTsRqPoNmLk-SecretPart";
const webhookUrl = `https://discord.com/api/webhooks/112233445566778899/${webhookToken}`;
const botToken = "MTEyMjMzNDQ1NTY2Nzc4ODk5.GhIjKl.botTokenValue0123456789";
const envOnly = "signing-secret-only-in-the-env-file-7f3a";
const channelId = "998877665544332211";
const githubToken = "ghp_0123456789abcdefghijABCDEFGHIJ456789"; // not in .env.discord
const password = "correct-horse-battery-staple";
const planted = [webhookToken, botToken, envOnly, channelId, githubToken, password];

function assertNoSecret(where: string, text: string): void {
  for (const s of planted) {
    assert.ok(!text.includes(s), `${where} serves the secret ${s.slice(0, 6)}…`);
  }
}

async function plantSecrets(claudeDir: string): Promise<void> {
  await Deno.writeTextFile(
    join(claudeDir, "hooks/.env.discord"),
    [
      `DISCORD_WEBHOOK_URL=${webhookUrl}`,
      `export DISCORD_BOT_TOKEN="${botToken}"`,
      `DISCORD_SIGNING_SECRET='${envOnly}'`,
      `DISCORD_CHANNEL_ID=${channelId}`,
    ].join("\n") + "\n",
  );
  const t = Date.now() - 60_000;
  const at = (i: number) => new Date(t + i * 1000).toISOString();
  const hooks: Array<Record<string, unknown>> = [
    {
      hook_event_name: "UserPromptSubmit",
      prompt: `planted-marker: post to ${webhookUrl} as ${botToken}`,
    },
    {
      hook_event_name: "PreToolUse",
      tool_name: "Bash",
      tool_use_id: "toolu_sec_1",
      tool_input: {
        command:
          `curl -H "Authorization: Bot ${botToken}" -d @m.json ${webhookUrl} # planted-marker`,
      },
    },
    {
      hook_event_name: "PostToolUseFailure",
      tool_name: "Bash",
      tool_use_id: "toolu_sec_1",
      tool_input: { command: `echo ${botToken}` },
      error: `psql: password=${password} rejected for ${botToken}`,
    },
    {
      hook_event_name: "PreToolUse",
      tool_name: "Bash",
      tool_use_id: "toolu_sec_2",
      tool_input: {
        command: `GITHUB_TOKEN=${githubToken} gh release create # planted-marker`,
        env: { GITHUB_TOKEN: githubToken, DISCORD_CHANNEL_ID: channelId, PASSWORD: password },
      },
      tool_response: { stdout: `DISCORD_BOT_TOKEN=${botToken}\nchannel ${channelId}` },
    },
    {
      hook_event_name: "Notification",
      message: `Claude needs your permission to call ${webhookUrl}`,
      notification_type: "permission_prompt",
    },
  ];
  for (const [i, p] of hooks.entries()) {
    const payload = { session_id: "sec-1", cwd: "/work/secret-project", timestamp: at(i), ...p };
    await Deno.writeTextFile(
      join(claudeDir, `hooks/logs/raw_json/2026010${i}_${p.hook_event_name}_sec-1.json`),
      JSON.stringify(payload),
    );
  }
  // A broken payload: the JSON error message quotes the text around the bad token.
  await Deno.writeTextFile(
    join(claudeDir, "hooks/logs/raw_json/20260109_PreToolUse_sec-1.json"),
    `{"hook_event_name": "PreToolUse", "session_id": "sec-1", "x": ${botToken}}`,
  );
  const lines = [
    {
      type: "user",
      sessionId: "sec-2",
      uuid: "u-1",
      timestamp: at(10),
      cwd: "/work/secret-project",
      message: { role: "user", content: `planted-marker use ${webhookUrl} and ${botToken}` },
    },
    {
      type: "assistant",
      sessionId: "sec-2",
      uuid: "u-2",
      timestamp: at(11),
      message: {
        id: "msg_sec",
        model: "claude-sonnet-4-5",
        role: "assistant",
        content: [{
          type: "tool_use",
          id: "toolu_sec_3",
          name: "Bash",
          input: { command: `export DISCORD_TOKEN=${botToken}; curl ${webhookUrl}` },
        }],
        usage: { input_tokens: 10, output_tokens: 5 },
      },
    },
    {
      type: "user",
      sessionId: "sec-2",
      uuid: "u-3",
      timestamp: at(12),
      message: {
        role: "user",
        content: [{
          type: "tool_result",
          tool_use_id: "toolu_sec_3",
          is_error: true,
          content: `curl: 401 for ${webhookUrl} token ${botToken} password=${password}`,
        }],
      },
    },
    {
      type: "system",
      sessionId: "sec-2",
      uuid: "u-4",
      timestamp: at(13),
      level: "error",
      content: `hook failed: token ${botToken} in channel ${channelId}`,
    },
  ];
  await Deno.mkdir(join(claudeDir, "projects/-work-secret-project"), { recursive: true });
  await Deno.writeTextFile(
    join(claudeDir, "projects/-work-secret-project/sec-2.jsonl"),
    lines.map((l) => JSON.stringify(l)).join("\n") + "\n",
  );
}

Deno.test(
  "with a fake .env.discord, no route, page, SSE or WebSocket message ever contains a secret",
  opts,
  async () => {
    const h = await makeHome();
    await writeFixtures(h.claudeDir);
    await plantSecrets(h.claudeDir);
    const d = await serveReady(h, { args: ["--rate-limit", "0"] });
    const sse = new SseClient(`${d.url}/api/stream?last_event_id=0`);
    const ws = openWs(`ws://127.0.0.1:${d.port}/api/ws?last_event_id=0`);
    try {
      const db = d.db;
      const secretEvents = (db.prepare(
        `SELECT id FROM events WHERE ${
          planted.map(() => "instr(event_raw(raw, raw_block, id), ?) > 0").join(" OR ")
        }`,
      ).all(...planted) as Array<{ id: number }>).map((r) => r.id);
      assert.ok(secretEvents.length >= 9, `planted events stored: ${secretEvents.length}`);
      assert.ok(
        (db.prepare("SELECT count(*) AS n FROM ingest_errors WHERE path LIKE '%sec-1.json'")
          .get() as { n: number }).n === 1,
        "the broken planted payload is counted",
      );

      // 1. The query functions mask on their own (before any HTTP guard). They run here, in
      // the test's process, which learns the .env.discord values the way the server did.
      rememberSecrets(
        envFileValues(await Deno.readTextFile(join(h.claudeDir, "hooks/.env.discord"))),
      );
      const direct = JSON.stringify([
        eventsPage(db, {}, 200),
        secretEvents.map((id) => eventDetail(db, id)),
        ingestErrors(db, 200),
        sessionById(db, "sec-1"),
        sessionToolCalls(db, "sec-1", 100),
        sessionToolCalls(db, "sec-2", 100),
      ]);
      assertNoSecret("the queries", direct);
      assert.match(direct, /planted-marker/);
      assert.match(direct, /\[masked\]/);

      // 2. Every GET route of the app (listed by an app built here), as page and as JSON, with
      // the planted ids.
      const routes = createApp({
        db,
        bus: new LiveBus(),
        ingester: null,
        claudeDir: h.claudeDir,
        dbPath: h.dbPath,
        startedAt: Date.now(),
      }).routes.filter((r) => r.method === "GET" && !r.path.includes("*"));
      const sessions = ["sec-1", "sec-2"];
      const urls = new Set<string>();
      for (const { path } of routes) {
        if (/\/(stream|ws)$/.test(path)) continue; // the streams are read below
        let variants = [path];
        for (const m of path.matchAll(/:(\w+)(\{[^}]*\})?/g)) {
          const values: string[] = path.startsWith("/static")
            ? Object.keys(assets)
            : m[2]?.includes("0-9")
            ? secretEvents.map(String)
            : [...sessions, ...secretEvents.slice(0, 3).map(String), "Bash"];
          variants = variants.flatMap((v) => values.map((x) => v.replace(m[0], x)));
        }
        for (const v of variants) {
          urls.add(v);
          urls.add(`${v}?session=sec-1&limit=200`);
          urls.add(`${v}?session=sec-2&q=planted-marker&limit=200`);
        }
      }
      assert.ok(urls.size >= 20, `${urls.size} URLs`);
      let sawMarker = 0;
      let sawMasked = 0;
      let served = 0;
      for (const url of urls) {
        for (const accept of ["text/html", "application/json"]) {
          const res = await fetch(`${d.url}${url}`, { headers: { Accept: accept } });
          const body = await readBody(res);
          assertNoSecret(`GET ${url} (${accept}) → ${res.status}`, body);
          if (res.status === 200) served++;
          if (body.includes("planted-marker")) sawMarker++;
          if (body.includes("[masked]")) sawMasked++;
        }
      }
      assert.ok(served >= 20, `${served} answers were 200`);
      assert.ok(sawMarker >= 5, `the planted events were served (${sawMarker} answers)`);
      assert.ok(sawMasked >= 5, `masked values were served (${sawMasked} answers)`);

      // 3. The streams: replay from 0 plus a live event carrying the secrets.
      await waitFor(() => sse.events().length >= secretEvents.length, 5000, "SSE replay");
      await waitFor(() => ws.messages.length > secretEvents.length, 5000, "WS replay");
      ws.ws.send(JSON.stringify({ type: "subscribe", filters: { session: "sec-live" } }));
      await Deno.writeTextFile(
        join(h.claudeDir, "hooks/logs/raw_json/20260201_PreToolUse_sec-live.json"),
        JSON.stringify({
          session_id: "sec-live",
          hook_event_name: "PreToolUse",
          tool_name: "Bash",
          tool_input: {
            command: `live-marker ${botToken} ${webhookUrl} GITHUB_TOKEN=${githubToken}`,
          },
        }),
      );
      await waitFor(
        () => sse.messages.some((m) => m.data.includes("live-marker")),
        3000,
        "live event over SSE",
      );
      await waitFor(
        () => ws.messages.some((m) => m.includes("live-marker")),
        3000,
        "live event over WebSocket",
      );
      assertNoSecret("SSE", sse.messages.map((m) => m.data).join("\n"));
      assertNoSecret("WebSocket", ws.messages.join("\n"));
      assert.match(sse.messages.map((m) => m.data).join("\n"), /\[masked\]/);

      // 4. The ingester never stores .env.discord: its only-there value is not in the database.
      const dbBytes = new TextDecoder("latin1").decode(await Deno.readFile(h.dbPath)) +
        new TextDecoder("latin1").decode(
          await Deno.readFile(`${h.dbPath}-wal`).catch(() => new Uint8Array()),
        );
      assert.ok(
        !dbBytes.includes(envOnly.slice(0, 20)),
        "a .env.discord value reached the database",
      );
      assert.equal(
        (db.prepare("SELECT count(*) AS n FROM files WHERE path LIKE '%env.discord%'").get() as {
          n: number;
        }).n,
        0,
      );
    } finally {
      await sse.close();
      ws.ws.close();
      await d.stop();
      await h.cleanup();
    }
  },
);
