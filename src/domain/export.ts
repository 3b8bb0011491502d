// Export of stored events as CSV (RFC 4180, with a header row) or JSON Lines, streamed: a
// ReadableStream that reads one keyset page (exportPageRows) each time the client is ready for
// more, so memory stays at about one page whatever the number of events. Everything that
// leaves goes through the same secret masking as the other routes (src/core/secrets.ts).
//
// CSV cells that a spreadsheet would run as a formula (starting with = + - @ or a tab/CR) get
// a leading apostrophe; the JSON Lines export carries every value unchanged (but masked).

import type { Db } from "../store/db.ts";
import type { ExplorerFilters } from "../core/view_data.ts";
import {
  exportCount,
  type ExportCursor,
  exportPages,
  type ExportQuery,
  type ExportRow,
} from "../store/read/export.ts";
import { maxEventId } from "../store/read/events.ts";
import { parseSearch } from "../store/read/search_query.ts";
import {
  containsKnown,
  knownSecretCount,
  maskJson,
  maskKnown,
  maskSecrets,
} from "../core/secrets.ts";
import { exportPageRows } from "../core/config.ts";
import { log } from "../core/log.ts";

export type ExportFormat = "csv" | "jsonl";

export const exportFormats: Record<ExportFormat, { type: string; ext: string }> = {
  csv: { type: "text/csv; charset=utf-8", ext: "csv" },
  jsonl: { type: "application/x-ndjson; charset=utf-8", ext: "jsonl" },
};

/** Columns of the CSV export, in order (the JSON Lines objects have these keys plus raw). */
export const csvColumns = [
  "id",
  "ts",
  "source",
  "session_id",
  "project",
  "type",
  "tool_name",
  "tool_use_id",
  "is_sidechain",
  "error_kind",
  "summary",
] as const;

export interface ExportRequest {
  format: ExportFormat;
  filters: ExplorerFilters;
  /** Search words, as on the events page (then rows come in storage order). */
  q?: string;
  pageRows?: number;
  /** Told of a query that failed mid-stream (the database's health: corruption is repaired). */
  onDbError?: (e: unknown) => void;
}

/** claude-dash-events-2026-11-27.csv (UTC date). */
export function exportFilename(format: ExportFormat, now: number): string {
  return `claude-dash-events-${new Date(now).toISOString().slice(0, 10)}.${
    exportFormats[format].ext
  }`;
}

/** One CSV field: quoted when it holds a comma, quote, CR or LF; quotes doubled. Pure. */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return "";
  if (typeof value !== "string") return String(value);
  const s = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** A CSV record with its CRLF line break. Pure. */
export function csvLine(fields: Array<string | number | boolean | null>): string {
  return fields.map(csvField).join(",") + "\r\n";
}

/** A stored row as written out: ISO time, a real boolean, the payload handled apart. */
type OutRow = Omit<ExportRow, "ts" | "is_sidechain" | "raw"> & {
  ts: string;
  is_sidechain: boolean;
};

function outRow(r: ExportRow): OutRow {
  return {
    id: r.id,
    ts: new Date(r.ts).toISOString(),
    source: r.source,
    session_id: r.session_id,
    project: r.project,
    type: r.type,
    tool_name: r.tool_name,
    tool_use_id: r.tool_use_id,
    is_sidechain: r.is_sidechain === 1,
    error_kind: r.error_kind,
    summary: maskSecrets(r.summary),
  };
}

/** The stored payload, masked: parsed JSON when it parses, else masked text. */
function maskedRaw(raw: string | null): unknown {
  if (raw === null) return null;
  try {
    return maskJson(JSON.parse(raw));
  } catch {
    return maskSecrets(raw);
  }
}

function render(format: ExportFormat, rows: ExportRow[]): string {
  let text = "";
  if (format === "csv") {
    for (const r of rows) {
      const o = outRow(r);
      text += csvLine(csvColumns.map((c) => o[c]));
    }
  } else {
    for (const r of rows) text += JSON.stringify({ ...outRow(r), raw: maskedRaw(r.raw) }) + "\n";
  }
  // The last line of defence, as on every buffered response (src/http/middleware/guards.ts).
  return knownSecretCount() > 0 && containsKnown(text) ? maskKnown(text) : text;
}

/**
 * The export as a byte stream. Validates the request up front (a bad search throws
 * BadRequest before any byte is sent) and counts the rows it must produce; then each pull
 * reads and encodes one page. A failed read, or fewer rows than counted, errors the stream, so
 * the download ends visibly broken (the client sees a cut transfer), never as a short file.
 */
export function exportEventsStream(db: Db, req: ExportRequest): ReadableStream<Uint8Array> {
  const match = req.q ? parseSearch(req.q).match : undefined;
  const limit = req.pageRows ?? exportPageRows;
  const query: ExportQuery = {
    filters: req.filters,
    match,
    maxId: maxEventId(db),
    withRaw: req.format === "jsonl",
  };
  const expected = exportCount(db, query);
  const next = exportPages(db, query);
  let sent = 0;
  const encoder = new TextEncoder();
  let after: ExportCursor | null = null;
  let header = req.format === "csv";
  let done = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (done) return;
      let text = "";
      if (header) {
        text = csvLine([...csvColumns]);
        header = false;
      }
      let rows: ExportRow[];
      try {
        rows = next(after, limit);
      } catch (e) {
        // The database went away (shutdown) or failed: end the download visibly broken.
        log.error(`export stopped: ${e instanceof Error ? e.message : e}`);
        req.onDbError?.(e);
        done = true;
        controller.error(e);
        return;
      }
      sent += rows.length;
      if (rows.length > 0) {
        const last = rows[rows.length - 1];
        after = { ts: last.ts, id: last.id };
        text += render(req.format, rows);
      }
      if (text) controller.enqueue(encoder.encode(text));
      if (rows.length < limit) {
        done = true;
        if (sent !== expected) {
          // Rows a damaged index skipped without an error (or retention deleted meanwhile).
          const e = new Error(
            `export incomplete: ${sent} of ${expected} events read; the database may be damaged`,
          );
          log.error(e.message);
          controller.error(e);
          return;
        }
        controller.close();
        return;
      }
    },
    cancel() {
      done = true;
    },
  }, { highWaterMark: 1 });
}
