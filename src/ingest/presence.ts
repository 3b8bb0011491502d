// Which known transcripts are gone from disk. A transcript that disappears keeps everything
// stored from it: it is only marked missing (and back when it is listed again).

import type { CommitResult, Writer } from "../store/write/writer.ts";
import { log } from "../core/log.ts";
import type { IngestStats } from "./stats.ts";
import { type Root, vanished } from "./root_set.ts";

export class TranscriptPresence {
  /** Keys of every transcript with a stored cursor, and of those whose file is gone. */
  readonly keys = new Set<string>();
  readonly missing = new Set<string>();
  #writer: Writer;
  #stats: IngestStats;
  #deliver: (r: CommitResult) => void;

  constructor(writer: Writer, stats: IngestStats, deliver: (r: CommitResult) => void) {
    this.#writer = writer;
    this.#stats = stats;
    this.#deliver = deliver;
  }

  /** A transcript with a stored cursor (`missing`: its file was gone when last looked at). */
  known(key: string, missing = false): void {
    this.keys.add(key);
    if (missing) this.missing.add(key);
    this.#stats.missingTranscripts = this.missing.size;
  }

  /** Marks known transcripts whose file is gone (not listed, and lstat agrees) as missing, and
   * missing ones listed again as back. Their stored data stays either way; the sessions they
   * fed are published again (their `source` may have changed). */
  async check(roots: Root[], listed: Set<string>): Promise<void> {
    const gone: string[] = [];
    const back: string[] = [];
    for (const key of this.keys) {
      const missing = this.missing.has(key);
      if (listed.has(key)) {
        if (missing) back.push(key);
      } else if (!missing && await vanished(roots, key)) gone.push(key);
    }
    if (gone.length === 0 && back.length === 0) return;
    let sessions: string[];
    try {
      sessions = [
        ...this.#writer.setMissing(gone, Date.now()),
        ...this.#writer.setMissing(back, null),
      ];
    } catch (e) {
      log.error(`marking missing transcripts failed: ${e instanceof Error ? e.message : e}`);
      return;
    }
    for (const key of gone) this.missing.add(key);
    for (const key of back) this.missing.delete(key);
    this.#stats.missingTranscripts = this.missing.size;
    if (gone.length > 0) {
      log.info(`${gone.length} transcript(s) gone from disk; their data is kept`);
    }
    if (sessions.length > 0) this.#deliver({ events: [], sessions: [...new Set(sessions)] });
  }
}
