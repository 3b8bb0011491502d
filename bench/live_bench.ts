// Live-mode figures: gen.ts's live() writes events like running sessions do while
//  - SSE clients in a separate process (bench/sse_clients.ts) record when each event arrives,
//  - optionally a real Chromium page records when each row enters #live-feed,
// and every arrival is matched to the exact moment its source was written (write_log.ts).
// Also the per-event processing time of the ingest pipeline's own code, event by event.

import type { Page } from "playwright-core";
import { live } from "../src/demo/workload.ts";
import { eventIdentities, maxEventIdIn, WriteLog } from "./write_log.ts";
import type { ClientsOutput } from "./sse_clients.ts";
import type { ProcMemory } from "./procs.ts";
import { openDb } from "../src/store/db.ts";
import { type FileCursor, Writer } from "../src/store/write/writer.ts";
import { parseHookFile } from "../src/ingest/parse/hook.ts";
import { parseTranscriptChunk, sessionIdFromPath } from "../src/ingest/parse/transcript.ts";
import { sessionsByIds } from "../src/store/read/sessions.ts";
import { transcriptChunkBytes } from "../src/core/config.ts";
import type { LiveMessage } from "../src/core/types.ts";

const clientsScript = new URL("./sse_clients.ts", import.meta.url).pathname;

export interface LiveRunOptions {
  url: string;
  claudeDir: string;
  dbPath: string;
  rate: number;
  seconds: number;
  clients: number;
  seed: number;
  scratchDir: string;
  page?: Page;
  /** Memory of the server process, sampled every 250 ms during the run. */
  memory?: () => ProcMemory | null;
}

export interface LiveRunResult {
  written: number;
  stored: number;
  writeMs: number;
  connected: number;
  refused: number;
  /** Clients whose stream the server ended before the run was over. */
  endedEarly: number;
  /** Deliveries of this run's events, over all connected clients. */
  delivered: number;
  /** written × connected − delivered. */
  missing: number;
  /** Write → arrival at an SSE client, ms, one per delivery. */
  sseMs: number[];
  /** Write → row inserted into #live-feed (DOM), ms. */
  domMs: number[];
  /** Write → the first animation frame after the insertion, ms. */
  frameMs: number[];
  maxRssKb: number | null;
  /** From the end of writing until every client had every event (or the wait gave up). */
  drainMs: number;
}

async function startClients(url: string, n: number, out: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", clientsScript, "--url", url, "--clients", String(n), "--out", out],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  const readLine = async (): Promise<string> => {
    for (;;) {
      const nl = buf.indexOf("\n");
      if (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        return line;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("the SSE clients process ended early");
      buf += decoder.decode(value, { stream: true });
    }
  };
  const ready = (await readLine()).split(" ");
  const writer = child.stdin.getWriter();
  return {
    connected: Number(ready[1]),
    refused: Number(ready[2]),
    async count(): Promise<number> {
      await writer.write(new TextEncoder().encode("count\n"));
      return Number((await readLine()).split(" ")[1]);
    },
    async stop(): Promise<ClientsOutput> {
      await writer.write(new TextEncoder().encode("stop\n"));
      await readLine();
      await writer.close().catch(() => {});
      await reader.cancel().catch(() => {});
      await child.status;
      return JSON.parse(await Deno.readTextFile(out)) as ClientsOutput;
    },
  };
}

/** Installs a MutationObserver that records each new feed row's id and times. */
async function watchFeed(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __rows: number[][]; __obs?: MutationObserver };
    w.__obs?.disconnect();
    w.__rows = [];
    const seen = new Set<number>();
    let pending: number[][] = [];
    const obs = new MutationObserver((records) => {
      const t = performance.timeOrigin + performance.now();
      for (const r of records) {
        for (const n of r.addedNodes) {
          if (!(n instanceof Element)) continue;
          const rows = n.matches("li[data-event-id]")
            ? [n]
            : Array.from(n.querySelectorAll("li[data-event-id]"));
          for (const el of rows) {
            if (!el.closest("#live-feed")) continue;
            const id = Number(el.getAttribute("data-event-id"));
            if (seen.has(id)) continue;
            seen.add(id);
            const rec = [id, t, 0];
            w.__rows.push(rec);
            pending.push(rec);
          }
        }
      }
      if (pending.length > 0) {
        const batch = pending;
        pending = [];
        requestAnimationFrame(() => {
          const f = performance.timeOrigin + performance.now();
          for (const rec of batch) rec[2] = f;
        });
      }
    });
    obs.observe(document.body, { childList: true, subtree: true });
    w.__obs = obs;
  });
}

/** One live run at `rate` events/s for `seconds`, measured at every client. */
export async function liveRun(o: LiveRunOptions): Promise<LiveRunResult> {
  const baseline = maxEventIdIn(o.dbPath);
  const out = `${o.scratchDir}/clients-${o.rate}-${o.clients}-${Date.now()}.json`;
  const clients = o.clients > 0 ? await startClients(o.url, o.clients, out) : null;
  if (o.page) await watchFeed(o.page);
  let maxRss = 0;
  const sampler = o.memory
    ? setInterval(() => {
      const m = o.memory!();
      if (m) maxRss = Math.max(maxRss, m.rssKb);
    }, 250)
    : undefined;

  const log = new WriteLog(o.claudeDir);
  const t0 = performance.now();
  await live({
    dir: o.claudeDir,
    ratePerSec: o.rate,
    seconds: o.seconds,
    seed: o.seed,
    onWrite: log.onWrite,
  });
  const writeMs = performance.now() - t0;
  const written = log.writes.length;

  // Let the last events be stored and delivered (bounded wait).
  let stored = 0;
  const deadline = performance.now() + 10_000;
  while (performance.now() < deadline) {
    stored = maxEventIdIn(o.dbPath) - baseline;
    if (stored >= written) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  // Then until every client has every event — or no delivery for 5 s, or 60 s: what is
  // still missing then counts as dropped.
  const drainStart = performance.now();
  if (clients) {
    const want = written * clients.connected;
    let last = -1;
    let lastChange = performance.now();
    while (performance.now() - drainStart < 60_000) {
      const n = await clients.count();
      if (n >= want) break;
      if (n !== last) {
        last = n;
        lastChange = performance.now();
      } else if (performance.now() - lastChange > 5000) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const drainMs = performance.now() - drainStart;
  await new Promise((r) => setTimeout(r, 1000));
  if (sampler !== undefined) clearInterval(sampler);

  const output = clients ? await clients.stop() : { clients: [] };
  const rows = o.page
    ? await o.page.evaluate(() => (window as unknown as { __rows: number[][] }).__rows)
    : [];

  const writtenAt = log.resolve();
  const ids = eventIdentities(o.dbPath, baseline);
  const timeOf = (id: number): number | undefined => {
    const key = ids.get(id);
    return key === undefined ? undefined : writtenAt.get(key);
  };

  const sseMs: number[] = [];
  let delivered = 0;
  let connected = 0;
  let endedEarly = 0;
  for (const c of output.clients) {
    if (c.status !== 200) continue;
    connected++;
    if (c.endedAt !== null) endedEarly++;
    for (let i = 0; i < c.received.length; i += 2) {
      const at = timeOf(c.received[i]);
      if (at === undefined) continue;
      delivered++;
      sseMs.push(c.received[i + 1] - at);
    }
  }
  const domMs: number[] = [];
  const frameMs: number[] = [];
  for (const [id, dom, frame] of rows) {
    const at = timeOf(id);
    if (at === undefined) continue;
    domMs.push(dom - at);
    if (frame > 0) frameMs.push(frame - at);
  }
  try {
    Deno.removeSync(out);
  } catch { /* no clients */ }
  return {
    written,
    stored,
    writeMs,
    connected,
    refused: clients?.refused ?? 0,
    endedEarly,
    delivered,
    missing: written * connected - delivered,
    sseMs,
    domMs,
    frameMs,
    maxRssKb: maxRss || null,
    drainMs,
  };
}

export interface PerEventResult {
  events: number;
  totalMs: number[];
  readMs: number[];
  parseMs: number[];
  storeMs: number[];
  publishMs: number[];
}

/**
 * The ingest pipeline's own code on each live event, one at a time as live mode sees them:
 * read the new bytes (the hook file, or the transcript from its cursor), parse, commit in its
 * own transaction (events, usage, tool pairing, session summary, cursor — the real Writer),
 * then build the live messages the bus sends (session summaries re-read, JSON encoded).
 * Waiting (watcher debounce, scheduling) is excluded: that is in the end-to-end latency.
 */
export async function perEventRun(o: {
  dbPath: string;
  claudeDir: string;
  rate: number;
  seconds: number;
  seed: number;
}): Promise<PerEventResult> {
  const db = openDb(o.dbPath);
  const writer = new Writer(db);
  const root = o.claudeDir.replace(/\/+$/, "") + "/";
  const cursors = new Map<string, FileCursor>();
  const r: PerEventResult = {
    events: 0,
    totalMs: [],
    readMs: [],
    parseMs: [],
    storeMs: [],
    publishMs: [],
  };
  const blank = (rel: string, kind: "hook" | "transcript"): FileCursor => ({
    path: rel,
    kind,
    size: 0,
    mtimeMs: 0,
    offset: 0,
    headHash: null,
    generation: 0,
    skipToNewline: false,
    lastTs: null,
    state: "ok",
  });
  const onWrite = (kind: "hook" | "transcript", abs: string) => {
    const rel = abs.slice(root.length);
    const t0 = performance.now();
    const st = Deno.lstatSync(abs);
    const mtimeMs = st.mtime?.getTime() ?? 0;
    let bytes: Uint8Array;
    const cur = cursors.get(rel) ?? blank(rel, kind);
    if (kind === "hook") {
      bytes = Deno.readFileSync(abs);
    } else {
      const f = Deno.openSync(abs, { read: true });
      try {
        f.seekSync(cur.offset, Deno.SeekMode.Start);
        bytes = new Uint8Array(st.size - cur.offset);
        let got = 0;
        while (got < bytes.length) {
          const n = f.readSync(bytes.subarray(got));
          if (n === null) break;
          got += n;
        }
        bytes = bytes.subarray(0, got);
      } finally {
        f.close();
      }
    }
    const t1 = performance.now();
    let update;
    if (kind === "hook") {
      const parsed = parseHookFile(rel, bytes, mtimeMs);
      update = {
        cursor: { ...cur, size: bytes.length, mtimeMs, offset: bytes.length },
        events: "event" in parsed ? [parsed.event] : [],
        errors: "error" in parsed ? [parsed.error] : [],
        clearErrors: true,
        rereading: false,
      };
    } else {
      const chunk = parseTranscriptChunk({
        relPath: rel,
        fileSessionId: sessionIdFromPath(rel),
        baseOffset: cur.offset,
        mtimeMs,
        lastTs: cur.lastTs,
        skipToNewline: cur.skipToNewline,
        takeUnterminated: false,
        maxLineBytes: transcriptChunkBytes,
      }, bytes);
      update = {
        cursor: {
          ...cur,
          size: st.size,
          mtimeMs,
          offset: cur.offset + chunk.consumed,
          skipToNewline: chunk.skipToNewline,
          lastTs: chunk.lastTs,
        },
        events: chunk.events,
        errors: chunk.errors,
        clearErrors: false,
        rereading: false,
      };
    }
    const t2 = performance.now();
    const result = writer.commit([update]);
    cursors.set(rel, update.cursor);
    const t3 = performance.now();
    const messages: LiveMessage[] = result.events.map((event) => ({ type: "event", event }));
    for (const session of sessionsByIds(db, result.sessions)) {
      messages.push({ type: "session", session });
    }
    let size = 0;
    for (const m of messages) size += JSON.stringify(m).length;
    const t4 = performance.now();
    if (size === 0 && result.events.length > 0) throw new Error("nothing to publish");
    r.events += result.events.length;
    r.totalMs.push(t4 - t0);
    r.readMs.push(t1 - t0);
    r.parseMs.push(t2 - t1);
    r.storeMs.push(t3 - t2);
    r.publishMs.push(t4 - t3);
  };
  try {
    await live({
      dir: o.claudeDir,
      ratePerSec: o.rate,
      seconds: o.seconds,
      seed: o.seed,
      onWrite,
    });
  } finally {
    db.close();
  }
  return r;
}
