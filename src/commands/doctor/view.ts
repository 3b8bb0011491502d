// What `claude-dash doctor` looks at: the plain view inspect() gathers from the disk, the
// databases and the port, and the ✓/✗ check diagnose() makes of it. Types and constants only.

import type { RootOrigin } from "../../ingest/roots.ts";

export interface TranscriptsView {
  count: number;
  newestMs: number | null;
  /** The newest transcript, relative to its folder. */
  newestRel: string | null;
}

/** One of the other folders Claude Code may write transcripts to. */
export interface RootView {
  path: string;
  origin: RootOrigin;
  /** no-permission: this process may not read it (Deno's --allow-read), so it is not checked. */
  state: "found" | "missing" | "not-a-folder" | "no-permission" | "unreadable";
  error?: string;
  /** The earlier folder (the Claude Code folder or another root) this one is: read once. */
  sameAs: string | null;
  transcripts: TranscriptsView;
}

export interface DoctorView {
  claudeDir: string;
  /** "home": the default ~/.claude (other roots checked too); "flag": --claude-dir (only it). */
  claudeOrigin: "home" | "flag";
  dbPath: string;
  port: number;
  now: number;
  claude: {
    state: "ok" | "missing" | "not-a-folder" | "no-permission" | "unreadable";
    error?: string;
  };
  /** Transcripts in the Claude Code folder itself. */
  transcripts: TranscriptsView;
  /** The other folders the server reads transcripts from, in its order. */
  roots: RootView[];
  /** Root variables this process may not read (--allow-env): the folders they name go unchecked. */
  envDenied: string[];
  hooks: { dirExists: boolean; count: number; newestMs: number | null; recent: number };
  settings: {
    state: "ok" | "missing" | "unreadable" | "invalid";
    error?: string;
    /** Events with at least one hook command. */
    events: string[];
    /** Events whose commands include `claude-dash … hook`. */
    claudeDashEvents: string[];
  };
  threads: { state: "absent" | "ok" | "error"; rows?: number; error?: string };
  db: {
    state: "missing" | "ok" | "error";
    bytes?: number;
    integrity?: string;
    /** Which check ran: the full integrity_check, or quick_check on a large database. */
    check?: "integrity_check" | "quick_check";
    schemaVersion?: number;
    error?: string;
  };
  /** Schema version this claude-dash writes. */
  currentSchema: number;
  /** Damaged databases claude-dash moved aside (`claude-dash.db.corrupt-<time>`), kept for you. */
  movedAside?: Array<{ path: string; bytes: number }>;
  /**
   * The port: free; claude-dash serving this Claude Code folder; claude-dash serving another one
   * (`claudeDir`, e.g. another HOME's); another program; or not checkable.
   */
  portState: {
    state: "free" | "claude-dash" | "other-claude-dash" | "busy" | "error";
    events?: number;
    claudeDir?: string;
    error?: string;
    /** The running dashboard's own database state (its /api/health `db`), when it says. */
    db?: { state: string; message: string | null; fix: string | null };
  };
  /** Whether a folder can be written (by its mode bits), or null when unknown. */
  writable: { ownDir: boolean | null; rawJson: boolean | null };
}

export interface Check {
  ok: boolean;
  /** A failed required check means claude-dash cannot work: exit code 1. */
  required: boolean;
  label: string;
  detail: string;
  fix?: string;
}
