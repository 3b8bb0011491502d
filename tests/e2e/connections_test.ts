// A thousand sockets must not take the server down (issue 17): Deno.serve's accept loop died
// on EMFILE at the common 1,024 descriptor limit and never came back, and a client that never
// finished its headers was held forever. Proven on the real server, spawned under the start
// task's exact flags with `ulimit -n 1024` (soft and hard), against 2,000 idle connections
// opened by a helper process that has descriptors to spare.

import assert from "node:assert/strict";
import { makeHome } from "../support/home.ts";
import { type Spawned, spawnServer } from "../support/served.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const idleClients = 2000;
const headerTimeoutMs = 1500;

/**
 * Opens `n` TCP connections to `port` and holds them until stdin closes: idle (sending nothing),
 * or, with "request", each sends one keep-alive GET first and counts the answers.
 */
const holderScript = `
const [port, n] = Deno.args.map(Number);
const request = Deno.args[2] === "request";
const get = new TextEncoder().encode("GET /static/none HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n");
const conns = [];
let failed = 0;
let answered = 0;
async function open() {
  const c = await Deno.connect({ hostname: "127.0.0.1", port });
  conns.push(c);
  if (!request) return;
  await c.write(get);
  if (await c.read(new Uint8Array(4096)).catch(() => null)) answered++;
}
for (let i = 0; i < n; i += 100) {
  const batch = [];
  for (let j = i; j < Math.min(n, i + 100); j++) batch.push(open().catch(() => failed++));
  await Promise.all(batch);
}
console.log(JSON.stringify({ opened: conns.length, failed, answered }));
for await (const _ of Deno.stdin.readable) { /* until the test closes stdin */ }
`;

/** The server under the start task's flags and `ulimit -n fdLimit`, header timeout shortened. */
function spawnLimited(home: string, fdLimit = 1024, args: string[] = []): Promise<Spawned> {
  return spawnServer(home, {
    fdLimit,
    args: ["--header-timeout-ms", String(headerTimeoutMs), ...args],
  });
}

/** Descriptors the process has open now, and its limit (from /proc). */
async function descriptors(pid: number): Promise<{ open: number; limit: string }> {
  let open = 0;
  for await (const _ of Deno.readDir(`/proc/${pid}/fd`)) open++;
  const limits = await Deno.readTextFile(`/proc/${pid}/limits`);
  const limit = /Max open files\s+(\d+)\s+(\d+)/.exec(limits);
  return { open, limit: limit ? `${limit[1]}/${limit[2]}` : "?" };
}

interface Held {
  opened: number;
  answered: number;
  release(): Promise<void>;
}

/** `n` connections to `port`, held by a helper process that raises its own limit. */
async function hold(port: string, n: number, mode = "idle"): Promise<Held> {
  const child = new Deno.Command("/bin/bash", {
    args: [
      "-c",
      'ulimit -n 4096 2>/dev/null; exec "$@"',
      "bash",
      Deno.execPath(),
      "eval",
      holderScript,
      port,
      String(n),
      mode,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const first = await lines.read();
  lines.releaseLock();
  const held = JSON.parse(first.value ?? "{}");
  return {
    opened: held.opened ?? 0,
    answered: held.answered ?? 0,
    async release() {
      await child.stdin.close().catch(() => {});
      await child.status;
      await child.stdout.cancel().catch(() => {});
    },
  };
}

async function timedHealth(url: string): Promise<{ ms: number; body: Record<string, unknown> }> {
  const t0 = performance.now();
  const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(5000) });
  assert.equal(res.status, 200);
  const body = await res.json();
  return { ms: performance.now() - t0, body };
}

Deno.test(
  "with ulimit -n 1024, 2,000 idle connections leave the server up and /api/health answered within 5 s; a slow-header client is dropped after the header timeout",
  opts,
  async () => {
    const h = await makeHome();
    const server = await spawnLimited(h.home);
    let holder: Held | null = null;
    try {
      const port = new URL(server.url).port;
      const before = await descriptors(server.pid);
      assert.equal(before.limit, "1024/1024", "the server runs with a 1,024 descriptor limit");

      holder = await hold(port, idleClients);
      assert.equal(holder.opened, idleClients, `the helper opened ${idleClients} connections`);

      // While those connections exist, a new client is served promptly.
      const during = await timedHealth(server.url);
      const fds = await descriptors(server.pid);
      assert.ok(during.ms < 5000, `/api/health took ${during.ms} ms`);
      assert.ok(!server.exited(), "the server is still running");
      const conns = during.body.connections as Record<string, number>;
      assert.ok(conns.peak <= conns.max_connections, "never more than the cap at once");
      assert.ok(fds.open < 1024, `descriptors in use: ${fds.open}`);
      console.log(
        `${idleClients} idle clients: /api/health in ${during.ms.toFixed(0)} ms; server ` +
          `descriptors ${before.open} before, ${fds.open} during (limit ${fds.limit}); ` +
          `connections ${JSON.stringify(conns)}`,
      );

      await holder.release();
      holder = null;

      // A client that starts a request and never finishes its headers is closed by the server.
      const slow = await Deno.connect({ hostname: "127.0.0.1", port: Number(port) });
      const t0 = performance.now();
      await slow.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: 127.0.0.1"));
      const closed = await slow.read(new Uint8Array(1024)).catch(() => null);
      const waited = performance.now() - t0;
      slow.close();
      assert.equal(closed, null, "the server closed the connection without answering");
      assert.ok(waited >= headerTimeoutMs - 100, `closed after ${waited} ms, not before`);
      assert.ok(waited < headerTimeoutMs + 3000, `closed after ${waited} ms`);

      const after = await timedHealth(server.url);
      const stats = after.body.connections as Record<string, number>;
      assert.ok(stats.header_timeouts >= 1, "counted on /api/health");
      assert.ok(!server.exited(), "still running after all of it");

      // And it still stops within 2 s of SIGTERM, exit code 0.
      const t1 = performance.now();
      const code = await server.stop();
      const ms = performance.now() - t1;
      assert.ok(ms < 2000, `exited ${ms.toFixed(0)} ms after SIGTERM\n${server.output()}`);
      assert.equal(code, 0);
    } finally {
      await holder?.release();
      await server.stop();
      await h.cleanup();
    }
  },
);

Deno.test(
  "with fewer descriptors than the connection cap needs (ulimit -n 200), running out is survived: accept errors are counted and /api/health still answers",
  opts,
  async () => {
    const h = await makeHome();
    const server = await spawnLimited(h.home, 200);
    let holder: Held | null = null;
    try {
      const port = new URL(server.url).port;
      holder = await hold(port, idleClients);
      assert.equal(holder.opened, idleClients);
      const during = await timedHealth(server.url);
      const conns = during.body.connections as Record<string, number>;
      assert.ok(during.ms < 5000, `/api/health took ${during.ms} ms`);
      assert.ok(conns.accept_errors > 0, `descriptors ran out: ${JSON.stringify(conns)}`);
      assert.ok(!server.exited(), "the server is still running");
      console.log(`limit 200: /api/health in ${during.ms.toFixed(0)} ms; ${JSON.stringify(conns)}`);
    } finally {
      await holder?.release();
      await server.stop();
      await h.cleanup();
    }
  },
);

Deno.test(
  "with ulimit -n 1024, 2,000 clients that each send a request on a kept-alive connection are all answered",
  opts,
  async () => {
    const h = await makeHome();
    // No rate limit: 2,000 requests from one address in a second are the point here.
    const server = await spawnLimited(h.home, 1024, ["--rate-limit", "0"]);
    let holder: Held | null = null;
    try {
      const port = new URL(server.url).port;
      holder = await hold(port, idleClients, "request");
      const fds = await descriptors(server.pid);
      // The oldest quiet keep-alive connections make room for new clients: nobody is locked out.
      assert.equal(holder.answered, idleClients);
      const during = await timedHealth(server.url);
      assert.ok(during.ms < 5000, `/api/health took ${during.ms} ms`);
      assert.ok(fds.open < 1024, `descriptors in use: ${fds.open}`);
      console.log(
        `${idleClients} keep-alive clients answered; server descriptors ${fds.open} ` +
          `(limit ${fds.limit}); /api/health in ${during.ms.toFixed(0)} ms`,
      );
    } finally {
      await holder?.release();
      await server.stop();
      await h.cleanup();
    }
  },
);
