// The raw JSON kept for history, compressed in blocks (issue 18: the payloads alone were about
// the size of the source, and a row of 1–2 KB left most of each 4 KiB page empty). A write batch
// large enough to compress well (a backfill) stores its events with `raw = ''` and `raw_block`
// naming one row of `raw_blocks`: the zstd of about 64 KB of those payloads, in event order.
// Small batches (a live tail, an HTTP hook) keep `raw` inline: one line compresses badly.
//
// Every reader of a payload goes through the SQL function event_raw(raw, raw_block, id),
// registered on each connection (sql_functions.ts), which returns `raw` itself for an inline row
// and otherwise the line from its block: first the block being written in this transaction
// (the FTS view, tool-call pairing and compaction queries read it before commit), then a small
// per-connection cache of decompressed blocks, then the table.
//
// Block layout, before compression: a header line `<ids>;<lengths>` (comma-separated decimal
// event ids and string lengths, in order), a newline, then the payloads concatenated. A block
// whose payloads were compressed before their events had ids (on the backfill's hook reader
// thread: packPayloads) keeps that header uncompressed in front: `CDB1`, the header line (an id
// of 0 is a payload whose event was not stored), then the zstd of the payloads alone.

import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { NormalizedEvent } from "../core/types.ts";
import { constants, zstdCompressSync, zstdDecompressSync } from "node:zlib";
import { rawBlockCacheBlocks, rawBlockTargetChars, rawBlockZstdLevel } from "../core/config.ts";

/** The SQL expression for an event's payload, for a query over `events` aliased `e` (or not). */
export function rawSql(alias = ""): string {
  const p = alias ? `${alias}.` : "";
  return `event_raw(${p}raw, ${p}raw_block, ${p}id)`;
}

/** Payloads compressed together before their events have ids (packPayloads). */
export type PackedPayloads = NonNullable<NormalizedEvent["packed"]>["payloads"];

/** One block decompressed: its text and where each event's payload lies in it. */
interface Block {
  text: string;
  at: Map<number, [number, number]>;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A block's header line: its events' ids and their payloads' lengths, in order. */
function headerLine(ids: number[], lengths: number[]): string {
  return `${ids.join(",")};${lengths.join(",")}\n`;
}

/** The zstd of `text`'s UTF-8, at the blocks' level. */
function compress(text: string): Uint8Array {
  return zstdCompressSync(encoder.encode(text), {
    params: { [constants.ZSTD_c_compressionLevel]: rawBlockZstdLevel },
  });
}

/** Compresses payloads of events `ids` (same order) into one block. */
export function encodeBlock(ids: number[], raws: string[]): Uint8Array {
  return compress(headerLine(ids, raws.map((r) => r.length)) + raws.join(""));
}

/** Compresses payloads whose events have no ids yet (see packedBlock). */
export function packPayloads(raws: string[]): PackedPayloads {
  return { data: compress(raws.join("")), lengths: raws.map((r) => r.length) };
}

/** The magic in front of a block made by packedBlock ("CDB1"; zstd frames start 28 B5 2F FD). */
const packedMagic = [0x43, 0x44, 0x42, 0x31];

/** A block of payloads compressed ahead (packPayloads), their events' `ids` in order (0: the
 * event was not stored): the header goes uncompressed in front. */
export function packedBlock(ids: number[], p: PackedPayloads): Uint8Array {
  const head = encoder.encode(headerLine(ids, p.lengths));
  const out = new Uint8Array(packedMagic.length + head.length + p.data.length);
  out.set(packedMagic);
  out.set(head, packedMagic.length);
  out.set(p.data, packedMagic.length + head.length);
  return out;
}

/** Reads a block written by encodeBlock or packedBlock. Throws on data that is not one. */
export function decodeBlock(data: Uint8Array): Block {
  const packed = packedMagic.every((b, i) => data[i] === b);
  let header: string;
  let text: string;
  if (packed) {
    const nl = data.indexOf(0x0a, packedMagic.length);
    if (nl < 0) throw new Error("raw block without a header");
    header = decoder.decode(data.subarray(packedMagic.length, nl));
    text = decoder.decode(zstdDecompressSync(data.subarray(nl + 1)));
  } else {
    const all = decoder.decode(zstdDecompressSync(data));
    const nl = all.indexOf("\n");
    if (nl < 0) throw new Error("raw block without a header");
    header = all.slice(0, nl);
    text = all.slice(nl + 1);
  }
  const semi = header.indexOf(";");
  if (semi < 0) throw new Error("raw block without a header");
  const ids = header.slice(0, semi).split(",").map(Number);
  const lengths = header.slice(semi + 1).split(",").map(Number);
  if (ids.length !== lengths.length) throw new Error("raw block header does not match");
  const at = new Map<number, [number, number]>();
  let pos = 0;
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] !== 0) at.set(ids[i], [pos, pos + lengths[i]]);
    pos += lengths[i];
  }
  if (pos !== text.length) throw new Error("raw block shorter or longer than its header");
  return { text, at };
}

/** One connection's reader and writer of blocks (the state behind event_raw). */
export class RawBlocks {
  #db: DatabaseSync;
  #load: StatementSync | null = null;
  #cache = new Map<number, Block>();
  /** Payloads written in the open transaction, by event id (blocks there are not cached). */
  #pending = new Map<number, string>();
  /** Blocks found unreadable (their events read as an empty payload), for /health. */
  #damaged = new Set<number>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** event_raw(): the payload of event `id`. */
  text(raw: string, block: number | null, id: number): string {
    if (block === null) return raw;
    const pending = this.#pending.get(id);
    if (pending !== undefined) return pending;
    let b = this.#cache.get(block);
    // A miss in a cached block: the block id was reused after retention deleted the old one.
    if (!b || !b.at.has(id)) b = this.#read(block);
    const at = b?.at.get(id);
    // A block gone or damaged: the event keeps its row, and an empty payload reads as no JSON.
    return at ? b!.text.slice(at[0], at[1]) : "";
  }

  #read(block: number): Block | undefined {
    this.#load ??= this.#db.prepare("SELECT data FROM raw_blocks WHERE id = ?");
    const row = this.#load.get(block) as { data: Uint8Array } | undefined;
    if (!row) return undefined;
    let b: Block;
    try {
      b = decodeBlock(row.data);
    } catch {
      this.#damaged.add(block);
      return undefined;
    }
    this.#cache.delete(block);
    this.#cache.set(block, b);
    if (this.#cache.size > rawBlockCacheBlocks) {
      this.#cache.delete(this.#cache.keys().next().value!);
    }
    return b;
  }

  /** Makes an event's payload readable before its block is committed. */
  hold(id: number, raw: string): void {
    this.#pending.set(id, raw);
  }

  /** Blocks were deleted (retention): their ids may be taken again by new blocks. */
  forget(): void {
    this.#cache.clear();
    this.#damaged.clear();
  }

  /** How many blocks this connection found unreadable. */
  get damaged(): number {
    return this.#damaged.size;
  }

  /** The transaction ended (committed or rolled back). */
  release(): void {
    this.#pending.clear();
  }
}

const perConnection = new WeakMap<DatabaseSync, RawBlocks>();

/** Registers event_raw(raw, raw_block, id) on `db`. */
export function registerRawBlocks(db: DatabaseSync): void {
  const blocks = new RawBlocks(db);
  perConnection.set(db, blocks);
  db.function("event_raw", { deterministic: false }, (raw, block, id) =>
    blocks.text(
      typeof raw === "string" ? raw : "",
      block === null ? null : Number(block),
      Number(id),
    ));
}

/** This connection's blocks (registered by openDb). */
export function rawBlocksOf(db: DatabaseSync): RawBlocks {
  const b = perConnection.get(db);
  if (!b) throw new Error("event_raw is not registered on this connection");
  return b;
}

/**
 * Builds the blocks of one write batch: the writer asks for the block id before each insert and
 * reports each stored payload; a block is written once it holds about rawBlockTargetChars. An
 * event whose payload came compressed already (NormalizedEvent.packed) goes to a block of its
 * group's: one that began at the group's first event and has had each event since, in order;
 * any other is stored as if it had not come compressed (its group's block is written as far as
 * it got: the events it missed are 0 in its header and take their payload into another).
 */
export class BlockWriter {
  #blocks: RawBlocks;
  #reserve: StatementSync;
  #write: StatementSync;
  #drop: StatementSync;
  #id: number | null = null;
  #ids: number[] = [];
  #raws: string[] = [];
  #chars = 0;
  /** The open block's group when it holds payloads compressed ahead, its ids by index. */
  #group: PackedPayloads | null = null;
  #groupIds: number[] = [];
  #groupNext = 0;

  constructor(db: DatabaseSync) {
    this.#blocks = rawBlocksOf(db);
    this.#reserve = db.prepare("INSERT INTO raw_blocks(data) VALUES (x'') RETURNING id");
    this.#write = db.prepare("UPDATE raw_blocks SET data = ? WHERE id = ?");
    this.#drop = db.prepare("DELETE FROM raw_blocks WHERE id = ?");
  }

  /** The block the next payload goes to (`packed`: that payload's, compressed ahead). */
  current(packed?: NormalizedEvent["packed"]): number {
    if (this.#group) {
      if (packed?.payloads === this.#group && packed.index === this.#groupNext) {
        this.#groupNext++;
        return this.#id!;
      }
      this.flush();
    }
    if (packed?.index === 0) {
      this.flush();
      this.#group = packed.payloads;
      this.#groupIds = new Array(packed.payloads.lengths.length).fill(0);
      this.#groupNext = 1;
    }
    if (this.#id === null) {
      this.#id = (this.#reserve.get() as { id: number }).id;
    }
    return this.#id;
  }

  /** Event `id` was stored in the current block with payload `raw` (`packed` as current()'s). */
  add(id: number, raw: string, packed?: NormalizedEvent["packed"]): void {
    this.#blocks.hold(id, raw);
    if (this.#group && packed?.payloads === this.#group) {
      this.#groupIds[packed.index] = id;
      if (this.#groupNext === this.#groupIds.length) this.flush();
      return;
    }
    this.#ids.push(id);
    this.#raws.push(raw);
    this.#chars += raw.length;
    if (this.#chars >= rawBlockTargetChars) this.flush();
  }

  /** Writes the current block (an unused reserved one is removed). */
  flush(): void {
    if (this.#id === null) return;
    if (this.#group) {
      if (this.#groupIds.some((id) => id !== 0)) {
        this.#write.run(packedBlock(this.#groupIds, this.#group), this.#id);
      } else this.#drop.run(this.#id);
    } else if (this.#ids.length === 0) this.#drop.run(this.#id);
    else this.#write.run(encodeBlock(this.#ids, this.#raws), this.#id);
    this.#reset();
  }

  /**
   * The batch's transaction ended, committed (every block flushed) or rolled back: nothing left
   * unwritten is kept, and the payloads held for its readers are let go.
   */
  end(): void {
    this.#reset();
    this.#blocks.release();
  }

  #reset(): void {
    this.#id = null;
    this.#ids = [];
    this.#raws = [];
    this.#chars = 0;
    this.#group = null;
    this.#groupIds = [];
    this.#groupNext = 0;
  }
}
