// The public listener. Deno.serve has no connection cap, header timeout or idle timeout, and its
// accept loop dies for good on EMFILE ("Too many open files"): about a thousand idle local
// sockets took the dashboard down. So the port users connect to is served by an accept loop we
// control, which pipes each connection's bytes to an internal Deno.serve on another loopback
// port. It holds at most `maxConnections` clients (the next one takes the place of the oldest
// idle one, or gets 503), drops a client that has not sent its first request's headers within
// `headerTimeoutMs` or has been quiet for `idleTimeoutMs`, and on EMFILE frees an idle
// connection and retries instead of exiting. A client costs one descriptor until its headers
// are in, three after (client, upstream, the internal server's side): 3 × 256 stays well under
// the common 1,024 limit. The internal server serves only connections this proxy opened (by
// their local port), and the app sees the real client's address, as Deno.serve would give it.

import {
  frontHeaderTimeoutMs,
  frontIdleTimeoutMs,
  frontMaxConnections,
  frontMaxHeadBytes,
} from "../core/config.ts";
import { log } from "../core/log.ts";

export interface FrontOptions {
  hostname: string;
  port: number;
  maxConnections?: number;
  headerTimeoutMs?: number;
  idleTimeoutMs?: number;
}

/** Counters for /api/health: what the limits did since the start. */
export interface FrontStats {
  /** Client connections open now, and the most at once. */
  open: number;
  peak: number;
  accepted: number;
  max_connections: number;
  header_timeout_ms: number;
  idle_timeout_ms: number;
  /** Closed for not sending a request's headers in time. */
  header_timeouts: number;
  /** Closed after idleTimeoutMs without a byte either way (and no request waiting). */
  idle_timeouts: number;
  /** Idle connections closed to make room for a new one at the cap. */
  evicted: number;
  /** New connections answered 503 because every open one was busy. */
  refused: number;
  /** Accept errors (EMFILE and the like) survived. */
  accept_errors: number;
  /** Connections to the internal server that failed (the client got 503). */
  upstream_errors: number;
  /** Times the internal server was started again after its accept loop died. */
  internal_restarts: number;
}

type Handler = (req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) =>
  | Response
  | Promise<
    Response
  >;

/** One client connection and its (lazily opened) link to the internal server. */
interface Link {
  client: Deno.TcpConn;
  remote: Deno.NetAddr;
  upstream: Deno.TcpConn | null;
  /** Since when the client owes a request's headers (the first, or the next on keep-alive). */
  headSince: number | null;
  /** The last bytes of a head so far, for a blank line split across reads. */
  tail: Uint8Array;
  /** Last byte from the client, from the server (performance.now()). */
  lastIn: number;
  lastOut: number;
  /** A 101 answered: a WebSocket, which has no keep-alive of its own, is never "idle". */
  upgraded: boolean;
  closed: boolean;
}

const crlf2 = new Uint8Array([13, 10, 13, 10]);
const busyBody = "claude-dash: too many open connections\n";
const busy = new TextEncoder().encode(
  "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\n" +
    `Content-Length: ${busyBody.length}\r\n\r\n${busyBody}`,
);
const switching = new TextEncoder().encode("HTTP/1.1 101");
const chunkBytes = 16 * 1024;

export class FrontDoor {
  readonly stats: FrontStats;
  #opts: Required<FrontOptions>;
  #links = new Set<Link>();
  /** Internal server's view: the proxy side's local port → the real client's address. */
  #routes = new Map<number, Deno.NetAddr>();
  #listener: Deno.TcpListener | null = null;
  #internal: Deno.HttpServer<Deno.NetAddr> | null = null;
  #internalPort = 0;
  #handler: Handler | null = null;
  #sweep: ReturnType<typeof setInterval> | undefined;
  #stopping = false;
  /**
   * The cap in force: maxConnections until descriptors run out below it (a lower `ulimit -n`,
   * or descriptors used elsewhere), then what fitted, growing back by one a tick.
   */
  #cap: number;
  #acceptLoop: Promise<void> = Promise.resolve();

  constructor(opts: FrontOptions) {
    this.#opts = {
      hostname: opts.hostname,
      port: opts.port,
      maxConnections: opts.maxConnections ?? frontMaxConnections,
      headerTimeoutMs: opts.headerTimeoutMs ?? frontHeaderTimeoutMs,
      idleTimeoutMs: opts.idleTimeoutMs ?? frontIdleTimeoutMs,
    };
    this.#cap = this.#opts.maxConnections;
    this.stats = {
      open: 0,
      peak: 0,
      accepted: 0,
      max_connections: this.#opts.maxConnections,
      header_timeout_ms: this.#opts.headerTimeoutMs,
      idle_timeout_ms: this.#opts.idleTimeoutMs,
      header_timeouts: 0,
      idle_timeouts: 0,
      evicted: 0,
      refused: 0,
      accept_errors: 0,
      upstream_errors: 0,
      internal_restarts: 0,
    };
  }

  /** Binds the public port (throws AddrInUse like Deno.serve) and starts serving `handler`. */
  listen(handler: Handler): Deno.NetAddr {
    this.#handler = handler;
    this.#startInternal();
    try {
      this.#listener = Deno.listen({ hostname: this.#opts.hostname, port: this.#opts.port });
    } catch (e) {
      this.#internal?.shutdown().catch(() => {});
      throw e;
    }
    const tick = Math.max(
      50,
      Math.min(1000, this.#opts.headerTimeoutMs / 4, this.#opts.idleTimeoutMs / 4),
    );
    this.#sweep = setInterval(() => this.#expire(), tick);
    this.#acceptLoop = this.#accept(this.#listener);
    return this.#listener.addr;
  }

  /** Stops accepting, closes every connection, then the internal server. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#sweep);
    try {
      this.#listener?.close();
    } catch {
      // already closed
    }
    for (const link of [...this.#links]) this.#close(link);
    await this.#acceptLoop;
    await this.#internal?.shutdown();
  }

  #startInternal(): void {
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (req, info) => {
        const remoteAddr = this.#routes.get(info.remoteAddr.port);
        // Only connections this proxy opened: a client reaching the internal port directly
        // would bypass the limits and could claim any address.
        if (!remoteAddr || !this.#handler) {
          return new Response("connect to the dashboard's own port\n", {
            status: 403,
            headers: { connection: "close" },
          });
        }
        return this.#handler(req, { remoteAddr, completed: info.completed });
      },
    );
    this.#internal = server;
    this.#internalPort = server.addr.port;
    // Its accept loop dies on EMFILE like any Deno.serve: start another rather than exit.
    server.finished.catch((e) => {
      if (this.#stopping) return;
      this.stats.internal_restarts++;
      log.warn(`internal server stopped (${e instanceof Error ? e.message : e}); restarting`);
      this.#restartInternal();
    });
  }

  #restartInternal(): void {
    setTimeout(() => {
      if (this.#stopping) return;
      try {
        this.#startInternal();
      } catch (e) {
        log.warn(`internal server restart failed: ${e instanceof Error ? e.message : e}`);
        this.#evictOne();
        this.#restartInternal();
      }
    }, 100);
  }

  async #accept(listener: Deno.TcpListener): Promise<void> {
    while (!this.#stopping) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (e) {
        if (this.#stopping || e instanceof Deno.errors.BadResource) return;
        // EMFILE, ENFILE, ECONNABORTED…: free descriptors and try again shortly.
        this.stats.accept_errors++;
        this.#outOfDescriptors();
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      this.#admit(conn);
    }
  }

  #admit(conn: Deno.TcpConn): void {
    this.stats.accepted++;
    if (this.#links.size >= this.#cap && !this.#evictOne()) {
      this.stats.refused++;
      conn.write(busy).catch(() => {}).finally(() => closeQuietly(conn));
      return;
    }
    const now = performance.now();
    const link: Link = {
      client: conn,
      remote: conn.remoteAddr,
      upstream: null,
      headSince: now,
      tail: new Uint8Array(0),
      lastIn: now,
      lastOut: now,
      upgraded: false,
      closed: false,
    };
    this.#links.add(link);
    this.stats.open = this.#links.size;
    this.stats.peak = Math.max(this.stats.peak, this.stats.open);
    this.#serve(link).catch(() => {}).finally(() => this.#close(link));
  }

  /** Reads the first request's head, connects upstream, then pipes both ways until either ends. */
  async #serve(link: Link): Promise<void> {
    const head = await this.#readHead(link);
    if (!head) return;
    link.headSince = null;
    let upstream: Deno.TcpConn;
    try {
      upstream = await Deno.connect({ hostname: "127.0.0.1", port: this.#internalPort });
    } catch {
      this.stats.upstream_errors++;
      this.#outOfDescriptors();
      await link.client.write(busy).catch(() => {});
      return;
    }
    if (link.closed) return closeQuietly(upstream);
    link.upstream = upstream;
    const port = upstream.localAddr.port;
    this.#routes.set(port, link.remote);
    try {
      link.client.setNoDelay(true);
      upstream.setNoDelay(true);
      await writeAll(upstream, head);
      await Promise.race([
        this.#pump(link, link.client, upstream, true),
        this.#pump(link, upstream, link.client, false),
      ]);
    } finally {
      if (this.#routes.get(port) === link.remote) this.#routes.delete(port);
    }
  }

  /** The bytes up to the end of the first request's headers (or frontMaxHeadBytes); null on EOF. */
  async #readHead(link: Link): Promise<Uint8Array | null> {
    // Kept as parts (a client may trickle a byte per read); only the new bytes and the last
    // three before them are searched for the blank line.
    const parts: Uint8Array[] = [];
    let total = 0;
    let tail = new Uint8Array(0);
    while (total < frontMaxHeadBytes) {
      const chunk = new Uint8Array(Math.min(chunkBytes, frontMaxHeadBytes - total));
      const n = await link.client.read(chunk);
      if (n === null) return null;
      link.lastIn = performance.now();
      const got = chunk.subarray(0, n);
      parts.push(got);
      total += n;
      const seen = concat([tail, got]);
      if (indexOf(seen, crlf2, 0) >= 0) break;
      tail = seen.slice(Math.max(0, seen.length - 3));
    }
    return concat(parts); // over frontMaxHeadBytes: passed on, the internal server answers 431
  }

  /**
   * Copies `from` → `to` a chunk at a time, each write awaited (backpressure). The client's EOF
   * half-closes the upstream, so a request sent before a shutdown(SHUT_WR) still gets its
   * answer; the server's EOF or any error ends the pair.
   */
  async #pump(link: Link, from: Deno.TcpConn, to: Deno.TcpConn, inbound: boolean) {
    const buf = new Uint8Array(chunkBytes);
    while (true) {
      const n = await from.read(buf);
      if (n === null) break;
      const now = performance.now();
      if (inbound) {
        if (!link.upgraded) this.#nextHead(link, buf.subarray(0, n), now);
        link.lastIn = now;
      } else {
        // A response starting after the latest request bytes: a 101 makes it a WebSocket.
        if (link.lastIn >= link.lastOut && startsWith(buf, n, switching)) link.upgraded = true;
        link.lastOut = now;
        link.headSince = null; // answered (or refused): the server has read what it needs
      }
      await writeAll(to, buf.subarray(0, n));
    }
    if (inbound) {
      await to.closeWrite().catch(() => {});
      await new Promise<never>(() => {}); // the answer still flows; the other pump ends the pair
    }
  }

  /**
   * Client bytes after an answer start the next request on a keep-alive connection: its
   * headers are due within the header timeout too (a slow client could otherwise send one
   * quick request and then trickle the next one forever).
   */
  #nextHead(link: Link, bytes: Uint8Array, now: number): void {
    if (link.headSince === null && link.lastOut >= link.lastIn) {
      link.headSince = now;
      link.tail = new Uint8Array(0);
    }
    if (link.headSince === null) return;
    const seen = concat([link.tail, bytes]);
    if (indexOf(seen, crlf2, 0) >= 0) link.headSince = null;
    else link.tail = seen.slice(Math.max(0, seen.length - 3));
  }

  /**
   * Descriptors ran out below the cap: hold a tenth fewer connections than now (idle ones go
   * first), so accepting goes on at full speed instead of failing on every call.
   */
  #outOfDescriptors(): void {
    this.#cap = Math.max(8, Math.floor(this.#links.size * 0.9));
    while (this.#links.size > this.#cap && this.#evictOne()) {
      // evicted one
    }
  }

  /** Closes connections past their header or idle deadline. */
  #expire(): void {
    if (this.#cap < this.#opts.maxConnections) this.#cap++;
    const now = performance.now();
    for (const link of this.#links) {
      if (link.headSince !== null) {
        if (now - link.headSince >= this.#opts.headerTimeoutMs) {
          this.stats.header_timeouts++;
          this.#close(link);
        }
      } else if (idle(link) && now - lastActive(link) >= this.#opts.idleTimeoutMs) {
        this.stats.idle_timeouts++;
        this.#close(link);
      }
    }
  }

  /**
   * Closes the connection that has gone longest without using the server — one still owing its
   * headers since then, or a keep-alive one quiet since then — so neither a crowd of idle
   * sockets nor of old keep-alive ones locks new clients out; false when every one is busy.
   */
  #evictOne(): boolean {
    let victim: Link | null = null;
    let since = Infinity;
    for (const link of this.#links) {
      const t = link.headSince ?? (idle(link) ? lastActive(link) : Infinity);
      if (t < since) [victim, since] = [link, t];
    }
    if (!victim) return false;
    this.stats.evicted++;
    this.#close(victim);
    return true;
  }

  #close(link: Link): void {
    if (link.closed) return;
    link.closed = true;
    closeQuietly(link.client);
    if (link.upstream) closeQuietly(link.upstream);
    this.#links.delete(link);
    this.stats.open = this.#links.size;
  }
}

/** Answered, not upgraded, and no request bytes since the last answer. */
function idle(link: Link): boolean {
  return link.headSince === null && !link.upgraded && link.lastOut >= link.lastIn;
}

function lastActive(link: Link): number {
  return Math.max(link.lastIn, link.lastOut);
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let rest = bytes;
  while (rest.length > 0) rest = rest.subarray(await conn.write(rest));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function startsWith(buf: Uint8Array, n: number, prefix: Uint8Array): boolean {
  if (n < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[i] !== prefix[i]) return false;
  return true;
}
