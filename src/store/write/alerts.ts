// Alert writes: reconcile() brings the alert rows in line with the conditions the rules found
// (src/domain/alerts/rules.ts), keeping one open row per (rule, key) while its condition holds;
// acknowledging and snoozing are the user's changes to a row. A row's count is the number of
// times its evidence changed (the rules make evidence of stored data only), not the number of
// evaluations that saw it.

import type { Db } from "../db.ts";
import { inTransaction } from "../db.ts";
import { allRows, oneRow, type RowOf } from "../rows.ts";
import type { AlertRow } from "../../core/types.ts";
import { type AlertCondition, openKey } from "../../core/alert_types.ts";
import { alertById, cachedStatement as stmt } from "../read/alerts.ts";

const openRowShape = {
  id: "int",
  rule: "text",
  key: "text",
  state: "text",
  evidence: "text?",
  snoozed_until: "int?",
  project: "text?",
} as const;

/**
 * Brings the alert rows in line with the conditions that hold at `now`: a new condition opens
 * an active row; one still holding with new evidence counts up and takes the new message; one
 * that stopped holding is cleared. Acknowledged rows stay acknowledged until they clear.
 * Expired snoozes are lifted. Returns the rows that changed (not those only seen again).
 */
export function reconcile(db: Db, conditions: AlertCondition[], now: number): AlertRow[] {
  const open = new Map<string, RowOf<typeof openRowShape>>();
  const openRows = stmt(
    db,
    "SELECT id, rule, key, state, evidence, snoozed_until, project FROM alerts WHERE state <> 'cleared'",
  );
  for (const r of allRows(openRows, openRowShape)) open.set(openKey(r.rule, r.key), r);
  // The usual tick: nothing holds and nothing is open, so no write transaction at all. (This
  // connection is the only writer and JavaScript runs one thing at a time: what was read
  // here is still true inside the transaction.)
  if (open.size === 0 && conditions.length === 0) return [];
  return inTransaction(db, () => {
    const changed: number[] = [];
    const seen = new Set<string>();
    for (const c of conditions) {
      const k = openKey(c.rule, c.key);
      if (seen.has(k)) continue;
      seen.add(k);
      const row = open.get(k);
      if (!row) {
        const inserted = oneRow(
          stmt(
            db,
            `INSERT INTO alerts(rule, key, session_id, project, first_ts, last_ts, count, message,
               state, evidence) VALUES (?, ?, ?, ?, ?, ?, 1, ?, 'active', ?) RETURNING id`,
          ),
          { id: "int" },
          c.rule,
          c.key,
          c.session_id,
          c.project,
          now,
          now,
          c.message,
          c.evidence,
        );
        if (!inserted) throw new Error("inserting an alert returned no id");
        changed.push(inserted.id);
        continue;
      }
      const snoozeOver = row.snoozed_until !== null && row.snoozed_until <= now;
      if (row.evidence !== c.evidence) {
        stmt(
          db,
          `UPDATE alerts SET count = count + 1, last_ts = ?, message = ?, evidence = ?,
             project = COALESCE(?, project) WHERE id = ?`,
        ).run(now, c.message, c.evidence, c.project, row.id);
        changed.push(row.id);
      } else {
        stmt(db, "UPDATE alerts SET last_ts = ? WHERE id = ?").run(now, row.id);
      }
      if (snoozeOver) {
        stmt(db, "UPDATE alerts SET snoozed_until = NULL WHERE id = ?").run(row.id);
        if (changed[changed.length - 1] !== row.id) changed.push(row.id);
      }
    }
    for (const [k, row] of open) {
      if (seen.has(k)) continue;
      stmt(db, "UPDATE alerts SET state = 'cleared', cleared_ts = ? WHERE id = ?").run(now, row.id);
      changed.push(row.id);
    }
    return changed.map((id) => alertById(db, id)!);
  });
}

/** Acknowledges an active alert (others are left as they are); null when there is no such id. */
export function ackAlert(db: Db, id: number, now = Date.now()): AlertRow | null {
  stmt(
    db,
    "UPDATE alerts SET state = 'acknowledged', acked_ts = ? WHERE id = ? AND state = 'active'",
  )
    .run(now, id);
  return alertById(db, id);
}

/** Hides an open alert from the banner for `minutes`; null when there is no such id. */
export function snoozeAlert(
  db: Db,
  id: number,
  minutes: number,
  now = Date.now(),
): AlertRow | null {
  stmt(db, "UPDATE alerts SET snoozed_until = ? WHERE id = ? AND state <> 'cleared'").run(
    now + Math.round(minutes * 60_000),
    id,
  );
  return alertById(db, id);
}
