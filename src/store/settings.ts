// The user's settings, persisted in claude-dash's own database (table settings, one JSON
// value per key) and merged over the defaults on every read, so a new setting needs no
// migration. The shape, defaults and validator are in src/core/settings_schema.ts.

import type { Db } from "./db.ts";
import { allRows } from "./rows.ts";
import {
  applyPatch,
  defaultSettings,
  type Settings,
  type SettingsPatch,
  validateSettingsPatch,
} from "../core/settings_schema.ts";

const settingShape = { key: "text", value: "text" } as const;

/** The stored settings merged over the defaults (unknown or invalid stored keys are ignored). */
export function readSettings(db: Db): Settings {
  const rows = allRows(db.prepare("SELECT key, value FROM settings"), settingShape);
  const stored: Record<string, unknown> = {};
  for (const r of rows) {
    try {
      stored[r.key] = JSON.parse(r.value);
    } catch {
      // a damaged value falls back to its default
    }
  }
  const checked = validateSettingsPatch(stored, { ignoreUnknown: true });
  return applyPatch(defaultSettings(), checked.ok ? checked.patch : {});
}

/** Validates and stores a patch; returns the settings now in force. */
export function writeSettings(db: Db, patch: SettingsPatch): Settings {
  const next = applyPatch(readSettings(db), patch);
  const upsert = db.prepare(
    `INSERT INTO settings (key, value, updated_ms) VALUES (?, ?, ?)
     ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms`,
  );
  const now = Date.now();
  for (const key of Object.keys(patch) as Array<keyof Settings>) {
    upsert.run(key, JSON.stringify(next[key]), now);
  }
  return next;
}
