// Migration 6 (see migrations.ts; kept apart for the file-size limit; never edit once released).
// 6: display text and no ghost sessions (issue 15).
// - Summaries, tool errors and input summaries are display text (oneLine in src/core/text.ts):
//   rows written before lose their terminal escapes and slash-command markup here
//   (display_text() is registered by openDb). Raw payloads are never touched.
// - A transcript line naming no session (summary, file-history-snapshot) made a session of
//   its own, named after its file, with no project. Such sessions go; their lines move to a
//   session stored from the same file, else to the session holding the message their
//   leafUuid names (same project folder, at that message's time), else to none
//   (session_id ''). Rollups follow the moved lines; no event is deleted.
// - events_unattached_*: lines with no session, found again when their file or leaf arrives
//   (src/store/write/orphans.ts); partial, so they index only those few lines.

export const migration6 = `
  UPDATE events SET summary = display_text(summary)
    WHERE instr(summary, char(27)) OR instr(summary, '<command-') OR instr(summary, '</command-')
      OR instr(summary, '<local-command-');
  UPDATE tool_calls SET error = display_text(error)
    WHERE instr(error, char(27)) OR instr(error, '<command-') OR instr(error, '<local-command-');
  UPDATE tool_calls SET input_summary = display_text(input_summary)
    WHERE instr(input_summary, char(27)) OR instr(input_summary, '<command-');
  UPDATE sessions SET waiting_reason = display_text(waiting_reason)
    WHERE instr(waiting_reason, char(27)) OR instr(waiting_reason, '<command-');

  CREATE TEMP TABLE m6_ghost AS
    SELECT session_id FROM sessions s WHERE NOT EXISTS (
      SELECT 1 FROM events e WHERE e.session_id = s.session_id
        AND e.type NOT IN ('summary', 'file-history-snapshot'));
  CREATE TEMP TABLE m6_lines AS
    SELECT e.id, e.session_id AS old_sid, e.ts AS old_ts, e.type, COALESCE(e.tool_name, '') AS tool,
      CASE WHEN json_valid(e.raw) THEN e.raw ->> '$.leafUuid' END AS leaf,
      (SELECT sf.session_id FROM session_files sf WHERE sf.file_id = e.file_id
         AND sf.session_id NOT IN (SELECT session_id FROM m6_ghost) LIMIT 1) AS file_sid,
      (SELECT substr(f.path, 1, 9 + instr(substr(f.path, 10), '/')) FROM files f
       WHERE f.id = e.file_id AND f.path LIKE 'projects/%/%') AS dir
    FROM events e WHERE e.session_id IN (SELECT session_id FROM m6_ghost);
  CREATE TEMP TABLE m6_moved AS
    SELECT l.id, l.old_sid, l.old_ts, l.type, l.tool,
      COALESCE(l.file_sid, x.session_id, '') AS new_sid,
      CASE WHEN l.file_sid IS NULL AND x.session_id IS NOT NULL THEN x.ts ELSE l.old_ts END AS new_ts
    FROM m6_lines l LEFT JOIN events x ON l.file_sid IS NULL AND x.id = (
      SELECT o.id FROM files f
      JOIN events o INDEXED BY events_file_uuid ON o.file_id = f.id AND o.uuid = l.leaf
      WHERE l.leaf IS NOT NULL AND l.dir IS NOT NULL AND substr(f.path, 1, length(l.dir)) = l.dir
        AND o.session_id <> '' AND o.session_id NOT IN (SELECT session_id FROM m6_ghost)
      LIMIT 1);

  UPDATE rollup_events SET n = n - d.c FROM (
    SELECT old_ts / 60000 * 60000 AS minute, type, tool, count(*) AS c FROM m6_moved GROUP BY 1, 2, 3
  ) AS d WHERE rollup_events.minute = d.minute AND rollup_events.type = d.type AND rollup_events.tool = d.tool;
  UPDATE rollup_event_hours SET n = n - d.c FROM (
    SELECT old_ts / 3600000 * 3600000 AS hour, type, tool, count(*) AS c FROM m6_moved GROUP BY 1, 2, 3
  ) AS d WHERE rollup_event_hours.hour = d.hour AND rollup_event_hours.type = d.type
    AND rollup_event_hours.tool = d.tool;
  UPDATE rollup_session_hours SET n = n - d.c FROM (
    SELECT old_ts / 3600000 * 3600000 AS hour, old_sid, count(*) AS c FROM m6_moved GROUP BY 1, 2
  ) AS d WHERE rollup_session_hours.hour = d.hour AND rollup_session_hours.session_id = d.old_sid;
  UPDATE events SET session_id = m.new_sid, ts = m.new_ts FROM m6_moved m WHERE events.id = m.id;
  INSERT INTO rollup_events(minute, type, tool, n)
    SELECT new_ts / 60000 * 60000, type, tool, count(*) FROM m6_moved GROUP BY 1, 2, 3
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
  INSERT INTO rollup_event_hours(hour, type, tool, n)
    SELECT new_ts / 3600000 * 3600000, type, tool, count(*) FROM m6_moved GROUP BY 1, 2, 3
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
  INSERT INTO rollup_session_hours(hour, session_id, n)
    SELECT new_ts / 3600000 * 3600000, new_sid, count(*) FROM m6_moved GROUP BY 1, 2
    ON CONFLICT DO UPDATE SET n = n + excluded.n;
  UPDATE sessions SET events = events + x.n, first_ts = MIN(first_ts, x.f), last_ts = MAX(last_ts, x.l)
    FROM (SELECT new_sid, count(*) AS n, min(new_ts) AS f, max(new_ts) AS l FROM m6_moved
          WHERE new_sid <> '' GROUP BY 1) AS x
    WHERE sessions.session_id = x.new_sid;
  DELETE FROM session_files WHERE session_id IN (SELECT session_id FROM m6_ghost);
  DELETE FROM sessions WHERE session_id IN (SELECT session_id FROM m6_ghost);
  DROP TABLE m6_moved;
  DROP TABLE m6_lines;
  DROP TABLE m6_ghost;

  CREATE INDEX events_unattached_file ON events(file_id) WHERE session_id = '';
  CREATE INDEX events_unattached_leaf ON events(CASE WHEN json_valid(raw) THEN raw ->> '$.leafUuid' END)
    WHERE session_id = '';
  `;
