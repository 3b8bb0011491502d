// Hook files read on the hook reader's thread while the backfill worker commits (issue 18):
// what is stored is exactly what the ingester stores reading them itself, bad files (and a
// link, left alone) included; a reader that fails leaves its batch, and every later one, to the
// ingester; and the real backfill worker starts one for a large hook backfill, under the
// server's sandbox too (from its bundle).

import assert from "node:assert/strict";
import { join } from "node:path";
import { Ingester } from "../src/ingest/ingester.ts";
import { startBackfillWorker } from "../src/ingest/backfill_host.ts";
import {
  HookReaderClient,
  type HookReadRequest,
  readHookBatch,
} from "../src/ingest/hook_reader.ts";
import { FolderCheck } from "../src/ingest/sources.ts";
import { type Db, openDb } from "../src/store/db.ts";
import { generate } from "../src/demo/workload.ts";
import { makeHome, type TestHome } from "./support/home.ts";
import { assertSameContents, blocksPackedAhead } from "./support/contents.ts";
import { serveReady } from "./support/served.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** Hook files of both payload shapes (and a transcript line for about each), and bad ones. */
async function hookHome(events: number): Promise<TestHome & AsyncDisposable> {
  const home = await makeHome();
  await generate({ dir: home.claudeDir, events, seed: 11, hookShare: 1, idlessHooks: 0.5 });
  const raw = join(home.claudeDir, "hooks/logs/raw_json");
  await Deno.writeTextFile(join(raw, "20300101_000000_000000_Stop_bad.json"), "{ not json");
  await Deno.writeTextFile(join(raw, "20300101_000001_000000_Stop_empty.json"), "");
  await Deno.writeFile(
    join(raw, "20300101_000002_000000_Stop_binary.json"),
    new Uint8Array([0xff, 0xfe, 0, 1]),
  );
  await Deno.writeTextFile(join(home.home, "decoy.json"), '{"secret":1}');
  await Deno.symlink(
    join(home.home, "decoy.json"),
    join(raw, "20300101_000003_000000_Stop_link.json"),
  );
  return { ...home, [Symbol.asyncDispose]: () => home.cleanup() };
}

async function backfill(
  home: TestHome,
  db: Db,
  extra: Partial<ConstructorParameters<typeof Ingester>[0]> = {},
) {
  const ing = new Ingester({ claudeDir: home.claudeDir, db, watch: false, ...extra });
  ing.start();
  await ing.ready;
  await ing.stop();
  return ing;
}

/** A reader on this thread, at the other end of a channel: `onRequest` may refuse a batch. */
function readerHere(home: TestHome, onRequest: (n: number, client: HookReaderClient) => boolean) {
  const channel = new MessageChannel();
  const folders = new FolderCheck(home.claudeDir);
  let requests = 0;
  let released = false;
  const client: HookReaderClient = new HookReaderClient(
    () => client.connect(channel.port2),
    () => (released = true),
  );
  channel.port1.onmessage = async (e: MessageEvent<HookReadRequest>) => {
    if (!onRequest(++requests, client)) return;
    channel.port1.postMessage(await readHookBatch(home.claudeDir, folders, e.data));
  };
  return {
    client,
    get requests() {
      return requests;
    },
    /** Whether the ingester said it needs the reader no more (no hook files left). */
    get released() {
      return released;
    },
    close() {
      channel.port1.close();
      channel.port2.close();
    },
  };
}

Deno.test(
  "hook files read by the hook reader store exactly what the ingester stores reading them itself",
  opts,
  async () => {
    await using home = await hookHome(6000);
    // More transcripts than one batch takes, after the hook files: the reader is let go.
    const many = join(home.claudeDir, "projects/-tmp-many");
    await Deno.mkdir(many, { recursive: true });
    for (let i = 0; i < 1500; i++) {
      const line = {
        type: "user",
        sessionId: `many-${i}`,
        timestamp: "2026-01-01T00:00:00.000Z",
        message: { role: "user", content: `prompt ${i}` },
      };
      await Deno.writeTextFile(join(many, `many-${i}.jsonl`), JSON.stringify(line) + "\n");
    }
    const ref = openDb(join(home.home, "ref.db"));
    const db = openDb(join(home.home, "b.db"));
    const reader = readerHere(home, () => true);
    try {
      await backfill(home, ref);
      const b = await backfill(home, db, { backfillOnly: true, hookReader: reader.client });
      assert.ok(reader.requests >= 2, `batches read by the reader: ${reader.requests}`);
      assert.ok(b.stats.filesReadAhead > 1000, `hook files read ahead: ${b.stats.filesReadAhead}`);
      assert.ok(reader.released, "released once only transcripts were left");
      // The last batch was taken ahead of the one before's commit: the lag clock stops all the
      // same (it was left running, a lag on /metrics and /health growing after the backfill).
      assert.equal(b.stats.pendingSinceMs, null, "nothing waits once the backfill is done");
      assert.ok(blocksPackedAhead(db) > 10, "payloads compressed by the reader");
      assert.equal(blocksPackedAhead(ref), 0);
      const want = assertSameContents(db, ref);
      const errors = want.errors.map((e) => (e as { path: string }).path);
      for (const bad of ["bad", "empty", "binary"]) {
        assert.ok(errors.some((p) => p.endsWith(`Stop_${bad}.json`)), `${bad} is an error`);
      }
    } finally {
      reader.close();
      ref.close();
      db.close();
    }
  },
);

Deno.test(
  "when the hook reader fails, its batch and every later one are read by the ingester",
  opts,
  async () => {
    await using home = await hookHome(6000);
    const ref = openDb(join(home.home, "ref.db"));
    const db = openDb(join(home.home, "b.db"));
    // The second batch it is sent is never answered: the reader failed (the host says so).
    const reader = readerHere(home, (n, client) => {
      if (n === 2) setTimeout(() => client.fail(), 50);
      return n !== 2;
    });
    try {
      await backfill(home, ref);
      const b = await backfill(home, db, { backfillOnly: true, hookReader: reader.client });
      assert.equal(reader.requests, 2, "nothing is sent after the failure");
      assert.ok(b.stats.filesReadAhead > 0);
      assertSameContents(db, ref);
    } finally {
      reader.close();
      ref.close();
      db.close();
    }
  },
);

// Several batches of hook files: the reader is asked for at the first and joins within a few.
Deno.test("the backfill worker starts a hook reader for a large hook backfill", opts, async () => {
  await using home = await hookHome(16000);
  const ref = openDb(join(home.home, "ref.db"));
  const dbPath = join(home.home, "w.db");
  const db = openDb(dbPath);
  try {
    await backfill(home, ref);
    const w = await backfill(home, db, { backfillWorker: { dbPath, start: startBackfillWorker } });
    console.log(`hook files read ahead: ${w.stats.filesReadAhead} of ${w.stats.filesRead} read`);
    assert.ok(w.stats.filesReadAhead > 0, `hook files read ahead: ${w.stats.filesReadAhead}`);
    // Their payloads were compressed on the reader's thread (a group's events share one
    // compressed body across the structured clone), and read back as written.
    assert.ok(blocksPackedAhead(db) > 0, "payloads compressed by the hook reader");
    assertSameContents(db, ref);
  } finally {
    ref.close();
    db.close();
  }
});

Deno.test(
  "under the server's sandbox the hook reader starts from its bundle and reads",
  opts,
  async () => {
    await using home = await hookHome(16000);
    const served = await serveReady(home);
    try {
      const ingest = await served.ingest();
      console.log(`hook files read ahead: ${ingest.filesReadAhead} of ${ingest.filesRead} read`);
      assert.ok(
        typeof ingest.filesReadAhead === "number" && ingest.filesReadAhead > 0,
        `hook files read ahead: ${ingest.filesReadAhead}\n${served.output()}`,
      );
      assert.doesNotMatch(served.output(), /hook reader|backfill worker (crashed|failed|stopped)/);
      const errors = (await served.health()).recent_errors;
      assert.ok(JSON.stringify(errors).includes("Stop_bad.json"), JSON.stringify(errors));
    } finally {
      await served.stop();
    }
  },
);
