// Packs payloads still stored inline into compressed blocks (store/raw_blocks.ts) once enough
// have gathered: the live tail's (its batches are too small to compress) and those of a
// database written before blocks existed. Runs on the main thread after the backfill, one
// block per step with a pause between steps, so the server keeps answering. The search text of
// a packed row is unchanged (same payload), so nothing is re-indexed. Rows shrink in place and
// leave their pages sparse, which no incremental vacuum gives back: once what was packed is a
// large share of the file (a database from before blocks), the start-time rewrite is asked for
// (store/compact.ts).

import { encodeBlock } from "../raw_blocks.ts";
import { type Db, inTransaction } from "../db.ts";
import { dbBytes, requestCompaction } from "../compact.ts";
import {
  rawBlockTargetChars,
  repackIntervalMs,
  repackPauseMs,
  repackRewriteMinChars,
  repackRewriteMinShare,
} from "../../core/config.ts";
import { log } from "../../core/log.ts";

/** Rows read per scan statement while looking for inline payloads, and per step at most (a
 * step holds the main thread: a packed million-event table is crossed in 50 steps, not one). */
const scanRows = 2000;
const scanRowsPerStep = 20_000;
/** meta key: every event up to this id is packed, or has to stay inline (no session). */
const cursorKey = "raw_inline_after";
/** meta key: payload characters packed since the last rewrite was asked for. */
const packedKey = "raw_packed_chars";

/** When packing asks for a rewrite: this many characters packed, and this share of the file. */
export interface RewriteThreshold {
  minChars: number;
  minShare: number;
}

export class Repacker {
  #db: Db;
  #rewrite: RewriteThreshold;
  #scan;
  #block;
  #point;
  #getMeta;
  #setMeta;

  constructor(
    db: Db,
    rewrite: RewriteThreshold = {
      minChars: repackRewriteMinChars,
      minShare: repackRewriteMinShare,
    },
  ) {
    this.#db = db;
    this.#rewrite = rewrite;
    this.#scan = db.prepare(`
      SELECT id, raw, raw_block IS NULL AND session_id <> '' AS inline
      FROM events WHERE id > ? ORDER BY id LIMIT ${scanRows}`);
    this.#block = db.prepare("INSERT INTO raw_blocks(data) VALUES (?) RETURNING id");
    this.#point = db.prepare(
      "UPDATE events SET raw = '', raw_block = ? WHERE id = ? AND raw_block IS NULL",
    );
    this.#getMeta = db.prepare("SELECT value FROM meta WHERE key = ?");
    this.#setMeta = db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)");
  }

  #meta(key: string): number {
    return Number((this.#getMeta.get(key) as { value?: string } | undefined)?.value ?? 0);
  }

  /**
   * Packs one block's worth of the oldest inline payloads; returns how many events it packed
   * (0: fewer than a block's worth are inline now).
   */
  step(): number {
    const from = this.#meta(cursorKey);
    const ids: number[] = [];
    const raws: string[] = [];
    let chars = 0;
    let after = from;
    let scanned = from;
    let atEnd = false;
    for (;;) {
      const rows = this.#scan.all(scanned) as Array<{ id: number; raw: string; inline: number }>;
      for (const r of rows) {
        scanned = r.id;
        if (!r.inline) {
          if (ids.length === 0) after = r.id;
          continue;
        }
        ids.push(r.id);
        raws.push(r.raw);
        chars += r.raw.length;
        if (chars >= rawBlockTargetChars) break;
      }
      if (chars >= rawBlockTargetChars) break;
      if (rows.length < scanRows) {
        atEnd = true;
        break;
      }
      if (scanned - from >= scanRowsPerStep && ids.length === 0) break;
    }
    if (chars < rawBlockTargetChars) {
      // Not a block's worth yet: start from the first inline row next time.
      if (after !== from) inTransaction(this.#db, () => this.#setMeta.run(cursorKey, after));
      if (atEnd) this.#maybeAskRewrite();
      return 0;
    }
    inTransaction(this.#db, () => {
      const { id: block } = this.#block.get(encodeBlock(ids, raws)) as { id: number };
      for (const id of ids) this.#point.run(block, id);
      this.#setMeta.run(cursorKey, ids[ids.length - 1]);
      this.#setMeta.run(packedKey, this.#meta(packedKey) + chars);
    });
    return ids.length;
  }

  /** Caught up: asks for the rewrite if what was packed since the last one is worth it. */
  #maybeAskRewrite(): void {
    const packed = this.#meta(packedKey);
    if (packed < this.#rewrite.minChars) return;
    const bytes = dbBytes(this.#db);
    if (packed < bytes * this.#rewrite.minShare) return;
    inTransaction(this.#db, () => {
      requestCompaction(this.#db, Date.now(), "repacked");
      this.#setMeta.run(packedKey, 0);
    });
    log.info(
      `${(packed / 1048576).toFixed(0)} MiB of stored payloads were compressed in place: ` +
        "the database is rewritten compactly at the next start",
    );
  }
}

/** Packs inline payloads now and then (a block per step, paused between); stop() waits. */
export function startRepacker(db: Db): { stop(): Promise<void> } {
  const repacker = new Repacker(db);
  let stopped = false;
  let wake: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => (wake = null, resolve()), ms);
      wake = () => (clearTimeout(t), wake = null, resolve());
    });
  const loop = (async () => {
    while (!stopped) {
      let packed = 0;
      try {
        packed = db.isOpen ? repacker.step() : 0;
      } catch (e) {
        log.error(`packing stored payloads failed: ${e instanceof Error ? e.message : e}`);
      }
      await sleep(packed > 0 ? repackPauseMs : repackIntervalMs);
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
