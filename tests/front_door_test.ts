// The public listener (src/http/front.ts) in process, on real loopback sockets: what the app
// sees of a client, the connection cap and which connection makes room, the header and idle
// timeouts, and bytes passed through whole (a large streamed body, a WebSocket).

import assert from "node:assert/strict";
import { FrontDoor, type FrontOptions } from "../src/http/front.ts";
import { parseArgs } from "../src/commands/cli.ts";
import { waitFor } from "./support/wait.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const enc = new TextEncoder();
const dec = new TextDecoder();

type Handler = (req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => Promise<Response>;

async function withFront(
  limits: Partial<FrontOptions>,
  handler: Handler,
  fn: (port: number, front: FrontDoor) => Promise<void>,
): Promise<void> {
  const front = new FrontDoor({ hostname: "127.0.0.1", port: 0, ...limits });
  const { port } = front.listen(handler);
  try {
    await fn(port, front);
  } finally {
    await front.stop();
  }
}

function connect(port: number): Promise<Deno.TcpConn> {
  return Deno.connect({ hostname: "127.0.0.1", port });
}

/** Reads until the peer closes (or `ms` passes); the text and whether it was closed. */
async function readAll(conn: Deno.Conn, ms = 5000): Promise<{ text: string; closed: boolean }> {
  let text = "";
  const buf = new Uint8Array(4096);
  const deadline = setTimeout(() => conn.close(), ms);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) return { text, closed: true };
      text += dec.decode(buf.subarray(0, n));
    }
  } catch {
    return { text, closed: false };
  } finally {
    clearTimeout(deadline);
  }
}

/** Reads one response head and a Content-Length body off a keep-alive connection. */
async function readResponse(conn: Deno.Conn): Promise<string> {
  let text = "";
  const buf = new Uint8Array(4096);
  for (;;) {
    const n = await conn.read(buf);
    if (n === null) return text;
    text += dec.decode(buf.subarray(0, n));
    const end = text.indexOf("\r\n\r\n");
    const len = /content-length: (\d+)/i.exec(text);
    if (end >= 0 && len && text.length >= end + 4 + Number(len[1])) return text;
  }
}

const get = (path = "/") => enc.encode(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
const ok = () => Promise.resolve(new Response("ok"));

Deno.test(
  "the app sees the client's own address and port, as Deno.serve would give it",
  opts,
  () =>
    withFront(
      {},
      (_req, info) => Promise.resolve(Response.json(info.remoteAddr)),
      async (port) => {
        const conn = await connect(port);
        await conn.write(get());
        const res = await readResponse(conn);
        const body = JSON.parse(res.slice(res.indexOf("\r\n\r\n") + 4));
        assert.equal(body.hostname, "127.0.0.1");
        assert.equal(body.port, conn.localAddr.port);
        conn.close();
      },
    ),
);

Deno.test(
  "at the cap, a new client takes the place of the oldest idle connection",
  opts,
  () =>
    withFront({ maxConnections: 2 }, ok, async (port, front) => {
      const oldest = await connect(port);
      const newer = await connect(port);
      await waitFor(() => front.stats.open === 2, 2000, "two accepted");
      const client = await connect(port);
      await client.write(get());
      assert.match(await readResponse(client), /^HTTP\/1.1 200/);
      assert.deepEqual(await readAll(oldest, 2000), { text: "", closed: true });
      assert.equal(front.stats.evicted, 1);
      assert.equal(front.stats.peak, 2);
      for (const c of [newer, client]) c.close();
    }),
);

Deno.test(
  "at the cap with every connection waiting for an answer, the next client gets 503",
  opts,
  () => {
    // Answered only once the test is done (stop() waits for answers in progress).
    const { promise: later, resolve } = Promise.withResolvers<Response>();
    return withFront(
      { maxConnections: 2 },
      (req) => new URL(req.url).pathname === "/slow" ? later : ok(),
      async (port, front) => {
        const busy = [await connect(port), await connect(port)];
        for (const c of busy) await c.write(get("/slow"));
        await waitFor(() => front.stats.open === 2, 2000, "two accepted");
        await new Promise((r) => setTimeout(r, 100)); // both requests reach the server
        const client = await connect(port);
        try {
          const res = await readAll(client, 2000);
          assert.match(res.text, /^HTTP\/1.1 503/);
          assert.equal(front.stats.refused, 1);
        } finally {
          resolve(new Response("late"));
          for (const c of busy) c.close();
        }
      },
    );
  },
);

Deno.test(
  "a client that does not finish its headers is closed after the header timeout",
  opts,
  () =>
    withFront({ headerTimeoutMs: 300 }, ok, async (port, front) => {
      const conn = await connect(port);
      const t0 = performance.now();
      await conn.write(enc.encode("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
      assert.deepEqual(await readAll(conn), { text: "", closed: true });
      assert.ok(performance.now() - t0 >= 250);
      assert.equal(front.stats.header_timeouts, 1);
    }),
);

Deno.test(
  "a request head sent a byte at a time, within the timeout, is served",
  opts,
  () =>
    withFront({ headerTimeoutMs: 5000 }, ok, async (port) => {
      const conn = await connect(port);
      for (const byte of get()) {
        await conn.write(new Uint8Array([byte]));
        await new Promise((r) => setTimeout(r, 1));
      }
      assert.match(await readResponse(conn), /^HTTP\/1.1 200/);
      conn.close();
    }),
);

Deno.test(
  "a keep-alive client trickling its next request is closed after the header timeout",
  opts,
  () =>
    withFront({ headerTimeoutMs: 300 }, ok, async (port, front) => {
      const conn = await connect(port);
      await conn.write(get());
      assert.match(await readResponse(conn), /^HTTP\/1.1 200/);
      await conn.write(enc.encode("GET / HTTP/1.1\r\n"));
      const timer = setInterval(() => conn.write(enc.encode("X")).catch(() => {}), 50);
      try {
        assert.equal((await readAll(conn)).closed, true);
      } finally {
        clearInterval(timer);
      }
      assert.equal(front.stats.header_timeouts, 1);
    }),
);

Deno.test(
  "a quiet keep-alive connection is closed after the idle timeout, a quiet WebSocket is not",
  opts,
  () =>
    withFront(
      { idleTimeoutMs: 300 },
      (req) => {
        if (req.headers.get("upgrade") !== "websocket") return ok();
        const { socket, response } = Deno.upgradeWebSocket(req);
        socket.onmessage = (m) => socket.send(`echo ${m.data}`);
        return Promise.resolve(response);
      },
      async (port, front) => {
        const conn = await connect(port);
        await conn.write(get());
        await readResponse(conn);
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
        await new Promise((r) => (ws.onopen = r));
        assert.equal((await readAll(conn)).closed, true);
        assert.equal(front.stats.idle_timeouts, 1);
        await new Promise((r) => setTimeout(r, 600)); // twice the idle timeout
        const reply = new Promise((r) => (ws.onmessage = (m) => r(m.data)));
        ws.send("still here");
        assert.equal(await reply, "echo still here");
        const closed = new Promise((r) => (ws.onclose = r));
        ws.close();
        await closed;
      },
    ),
);

Deno.test(
  "a large streamed answer arrives whole and in order (backpressure through the proxy)",
  opts,
  () => {
    const chunks = 320; // × 64 KiB = 20 MiB
    return withFront(
      {},
      () => {
        let i = 0;
        const body = new ReadableStream<Uint8Array>({
          pull(c) {
            if (i === chunks) return c.close();
            c.enqueue(new Uint8Array(64 * 1024).fill(i++ % 251));
          },
        });
        return Promise.resolve(new Response(body));
      },
      async (port) => {
        const res = await fetch(`http://127.0.0.1:${port}/big`);
        let total = 0;
        let inOrder = true;
        for await (const part of res.body!) {
          for (let k = 0; k < part.length; k += 4096) {
            if (part[k] !== Math.floor((total + k) / 65536) % 251) inOrder = false;
          }
          total += part.length;
          await new Promise((r) => setTimeout(r, 0)); // a slower reader than the server
        }
        assert.equal(total, chunks * 64 * 1024);
        assert.ok(inOrder, "every byte where it was sent");
      },
    );
  },
);

Deno.test("--max-connections N and --header-timeout-ms N reach the server's options; 0 or anything else is refused", () => {
  const set = parseArgs(["--max-connections", "64", "--header-timeout-ms=2500"], "/h");
  assert.equal(set.kind, "run");
  if (set.kind === "run") {
    assert.equal(set.options.maxConnections, 64);
    assert.equal(set.options.headerTimeoutMs, 2500);
  }
  const unset = parseArgs([], "/h");
  assert.ok(unset.kind === "run" && unset.options.maxConnections === undefined);
  assert.deepEqual(parseArgs(["--header-timeout-ms", "0"], "/h"), {
    kind: "error",
    message: '--header-timeout-ms needs a number from 1, got "0"',
  });
  assert.equal(parseArgs(["--max-connections=lots"], "/h").kind, "error");
});
