// Stores the statusline's rate-limit samples (claude-dash/statusline/samples/*.json, one small
// file per sample, written atomically by `claude-dash statusline`) and then removes each file:
// the folder lives under claude-dash's own folder, the only place the server may write, so it
// stays small however long the statusline runs. A file that is not a sample is recorded as an
// ingest error and removed too. Never through a symbolic link; files in flight (".tmp-…", no
// .json suffix) are left alone.

import type { Db } from "../store/db.ts";
import type { Writer } from "../store/write/writer.ts";
import { storeRateLimitSamples } from "../store/write/rate_limits.ts";
import { parseSample, type RateLimitSample, rateLimitSamplesRel } from "../core/rate_limits.ts";
import { log } from "../core/log.ts";

/** Largest sample file read (a sample is about 250 bytes). */
const maxSampleBytes = 64 * 1024;
/** Files handled per pass (the rest wait for the next one). */
const maxFilesPerPass = 2000;

export class RateLimitPoller {
  #dir: string;
  #db: Db;
  #writer: Writer;
  /** Files stored but not removable (no write access): not stored again. */
  #kept = new Set<string>();
  /** Samples stored since start. */
  stored = 0;

  constructor(claudeDir: string, db: Db, writer: Writer) {
    this.#dir = `${claudeDir}/${rateLimitSamplesRel}`;
    this.#db = db;
    this.#writer = writer;
  }

  /** Stores every sample file present and removes it; returns how many samples were stored. */
  async poll(): Promise<number> {
    const names: string[] = [];
    try {
      const st = await Deno.lstat(this.#dir);
      if (!st.isDirectory) return 0;
      for await (const e of Deno.readDir(this.#dir)) {
        if (e.isFile && e.name.endsWith(".json") && !this.#kept.has(e.name)) names.push(e.name);
        if (names.length >= maxFilesPerPass) break;
      }
    } catch {
      return 0; // no folder yet (no statusline), or not readable
    }
    if (names.length === 0) return 0;
    names.sort();
    const samples: RateLimitSample[] = [];
    const done: string[] = [];
    for (const name of names) {
      const path = `${this.#dir}/${name}`;
      try {
        const st = await Deno.lstat(path);
        if (!st.isFile) continue;
        if (st.size > maxSampleBytes) {
          this.#bad(name, "file too large for a statusline sample; not read");
        } else {
          const sample = parseSample(await Deno.readTextFile(path));
          if (sample) samples.push(sample);
          else this.#bad(name, "not a statusline rate-limit sample");
        }
        done.push(name);
      } catch {
        // vanished or unreadable now: the next pass looks again
      }
    }
    try {
      storeRateLimitSamples(this.#db, samples);
    } catch (e) {
      log.error(
        `storing rate-limit samples failed, will retry: ${e instanceof Error ? e.message : e}`,
      );
      return 0;
    }
    this.stored += samples.length;
    for (const name of done) {
      try {
        await Deno.remove(`${this.#dir}/${name}`);
      } catch {
        this.#kept.add(name); // stored; removing needs write access the server may lack
      }
    }
    return samples.length;
  }

  #bad(name: string, reason: string): void {
    try {
      this.#writer.recordError({ path: `${rateLimitSamplesRel}/${name}`, offset: null, reason });
    } catch (e) {
      log.error(`recording an ingest error failed: ${e instanceof Error ? e.message : e}`);
    }
  }
}
