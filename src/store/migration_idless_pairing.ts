// Migration: indexes for pairing id-less hook tool calls (issue 18; see migrations.ts, never
// edit once released). ToolCallWrites.repair names them with INDEXED BY: without planner
// statistics SQLite picked events_tool_ts and tool_calls_tool_status, so each repaired
// session + tool scanned every call of that tool ever stored (backfill time per file grew with
// the database). Both are partial: they hold only what the repair reads, id-less hook tool
// events and id-less calls.

export const migrationIdlessPairing = `
  CREATE INDEX events_idless_calls ON events(session_id, tool_name, ts, key)
    WHERE tool_use_id IS NULL AND source = 'hook'
      AND type IN ('PreToolUse', 'PostToolUse', 'PostToolUseFailure');
  CREATE INDEX tool_calls_idless_end ON tool_calls(session_id, tool_name, end_ts)
    WHERE tool_use_id IS NULL;
`;
