// A stored message whose larger snapshot arrives in a later batch takes that snapshot's time
// (the final-snapshot rule: ccusage 20 counts a message on the day of its final snapshot).
// When that moves it to another hour, its whole contribution to rollup_usage moves from the
// old (hour, session, model) row to the new one; a row left empty goes. messages.ts calls it.

import type { Db } from "../db.ts";
import { addToRollupUsage, dropEmptyRollupUsage } from "./derived.ts";

/** What a message adds to its rollup_usage row. */
export interface RollupShare {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  /** cost_usd as stored (null: unpriced); `reported`: a share of Claude Code's reported cost. */
  cost: number | null;
  reported: boolean;
}

export class RollupMove {
  #out;
  #empty;
  #in;

  constructor(db: Db) {
    this.#out = db.prepare(`
      UPDATE rollup_usage SET messages = messages - 1, input_tokens = input_tokens - ?,
        output_tokens = output_tokens - ?, cache_creation_tokens = cache_creation_tokens - ?,
        cache_read_tokens = cache_read_tokens - ?, cost_usd = cost_usd - ?,
        unpriced = unpriced - ?, reported = reported - ?, cost_reported_usd = cost_reported_usd - ?
      WHERE hour = ? AND session_id = ? AND model = ?`);
    this.#empty = db.prepare(dropEmptyRollupUsage);
    this.#in = db.prepare(`
      INSERT INTO rollup_usage(hour, session_id, model, messages, input_tokens, output_tokens,
        cache_creation_tokens, cache_read_tokens, cost_usd, unpriced, reported, cost_reported_usd)
      VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?)
      ${addToRollupUsage}`);
  }

  /** Moves a message's share from its row at `fromTs` to its row at `toTs`. */
  move(
    sessionId: string,
    model: string,
    fromTs: number,
    was: RollupShare,
    toTs: number,
    now: RollupShare,
  ): void {
    const from = [hourOf(fromTs), sessionId, model] as const;
    this.#out.run(...values(was), ...from);
    this.#empty.run(...from);
    this.#in.run(hourOf(toTs), sessionId, model, ...values(now));
  }
}

const hourOf = (ts: number) => Math.floor(ts / 3_600_000) * 3_600_000;

function values(s: RollupShare): [number, number, number, number, number, number, number, number] {
  const cost = s.cost ?? 0;
  return [
    s.input,
    s.output,
    s.cacheCreation,
    s.cacheRead,
    cost,
    s.cost === null ? 1 : 0,
    s.reported ? 1 : 0,
    s.reported ? cost : 0,
  ];
}
