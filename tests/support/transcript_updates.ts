// A whole transcript text as the parser reads it from the start of its file, and the writer's
// FileUpdate that stores it: for tests that drive the Writer without files on disk.

import { parseTranscriptChunk } from "../../src/ingest/parse/transcript.ts";
import { blankCursor } from "../../src/ingest/read_file.ts";
import type { FileUpdate } from "../../src/store/write/writer.ts";

const enc = new TextEncoder();

/** Parses `text` as transcript `relPath` of session `session`, every line taken. */
export function parseWhole(relPath: string, session: string, text: string) {
  return parseTranscriptChunk({
    relPath,
    fileSessionId: session,
    baseOffset: 0,
    mtimeMs: 0,
    lastTs: null,
    skipToNewline: false,
    takeUnterminated: true,
    maxLineBytes: 1 << 24,
  }, enc.encode(text));
}

/** The update that stores all of `text` as transcript `relPath`; throws on a line it rejects. */
export function transcriptUpdate(relPath: string, session: string, text: string): FileUpdate {
  const { events, errors } = parseWhole(relPath, session, text);
  if (errors.length > 0) throw new Error(`${relPath}: ${errors[0].reason}`);
  return {
    cursor: { ...blankCursor(relPath, "transcript"), size: text.length, offset: text.length },
    events,
    errors,
    clearErrors: false,
    rereading: false,
  };
}
