// Exact write times of a live run: gen.ts's live() reports every file write (one hook file,
// or one whole transcript line appended); afterwards each write is given the identity the
// store gives its event — the hook file's path, or the transcript path plus the line's byte
// offset — so a stored event id maps to the moment its source was written.

import { DatabaseSync } from "node:sqlite";

export interface Write {
  kind: "hook" | "transcript";
  path: string;
  at: number;
}

export class WriteLog {
  readonly writes: Write[] = [];
  readonly #root: string;

  constructor(claudeDir: string) {
    this.#root = claudeDir.replace(/\/+$/, "") + "/";
  }

  readonly onWrite = (kind: "hook" | "transcript", path: string, at: number): void => {
    this.writes.push({ kind, path, at });
  };

  /** Identity → write time, for every write logged. Reads the transcript files written. */
  resolve(): Map<string, number> {
    const out = new Map<string, number>();
    const perFile = new Map<string, number[]>();
    for (const w of this.writes) {
      const rel = w.path.startsWith(this.#root) ? w.path.slice(this.#root.length) : w.path;
      if (w.kind === "hook") out.set(rel, w.at);
      else {
        let list = perFile.get(rel);
        if (!list) perFile.set(rel, list = []);
        list.push(w.at);
      }
    }
    for (const [rel, times] of perFile) {
      const bytes = Deno.readFileSync(this.#root + rel);
      const starts: number[] = [];
      let start = 0;
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i] === 0x0a) {
          starts.push(start);
          start = i + 1;
        }
      }
      // The file's last `times.length` lines are the ones this run appended, in order.
      const first = starts.length - times.length;
      for (let k = 0; k < times.length; k++) {
        if (first + k >= 0) out.set(`${rel}#${starts[first + k]}`, times[k]);
      }
    }
    return out;
  }
}

/** Stored identity of events with id > afterId: hook path, or transcript path#offset. */
export function eventIdentities(dbPath: string, afterId: number): Map<number, string> {
  const db = new DatabaseSync(dbPath);
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    const rows = db.prepare(
      `SELECT e.id AS id, f.path AS path, e.offset AS offset, e.source AS source
       FROM events e JOIN files f ON f.id = e.file_id WHERE e.id > ?`,
    ).all(afterId) as Array<{ id: number; path: string; offset: number | null; source: string }>;
    const out = new Map<number, string>();
    for (const r of rows) {
      out.set(r.id, r.source === "hook" || r.offset === null ? r.path : `${r.path}#${r.offset}`);
    }
    return out;
  } finally {
    db.close();
  }
}

export function maxEventIdIn(dbPath: string): number {
  const db = new DatabaseSync(dbPath);
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    return (db.prepare("SELECT coalesce(max(id), 0) AS n FROM events").get() as { n: number }).n;
  } finally {
    db.close();
  }
}
