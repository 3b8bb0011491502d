// The searchable text of an event as SQL over its stored payload (`raw`, `source`, `type`):
// what the events_search_text view indexes. Migration 3 created the view with it; the masking
// migration (migration_mask.ts) wraps it in mask_text(). One text, so the two cannot drift.
// Frozen like the migrations that use it: new search text means a new constant and migration.

/** The SQL expression for an event's search text (prompts, commands, paths, message text). */
export const searchTextExpr = `replace(replace(substr(CASE WHEN NOT json_valid(raw) THEN NULL
    WHEN source = 'hook' THEN CASE type
      WHEN 'UserPromptSubmit' THEN raw ->> '$.prompt'
      WHEN 'Notification' THEN raw ->> '$.message'
      WHEN 'PreToolUse' THEN concat_ws(' ', raw ->> '$.tool_input.command',
        raw ->> '$.tool_input.file_path', raw ->> '$.tool_input.notebook_path',
        raw ->> '$.tool_input.path', raw ->> '$.tool_input.pattern', raw ->> '$.tool_input.url',
        raw ->> '$.tool_input.query', raw ->> '$.tool_input.description',
        substr(raw ->> '$.tool_input.prompt', 1, 2000))
      WHEN 'PermissionRequest' THEN concat_ws(' ', raw ->> '$.tool_input.command',
        raw ->> '$.tool_input.file_path', raw ->> '$.tool_input.path',
        raw ->> '$.tool_input.pattern', raw ->> '$.tool_input.url')
      WHEN 'PostToolUseFailure' THEN concat_ws(' ', raw ->> '$.error',
        raw ->> '$.tool_input.command', raw ->> '$.tool_input.file_path',
        raw ->> '$.tool_input.pattern')
      END
    WHEN type IN ('user', 'assistant') THEN CASE json_type(raw, '$.message.content')
      WHEN 'text' THEN raw ->> '$.message.content'
      WHEN 'array' THEN (
        SELECT group_concat(CASE b.value ->> '$.type'
          WHEN 'text' THEN b.value ->> '$.text'
          WHEN 'tool_use' THEN concat_ws(' ', b.value ->> '$.input.command',
            b.value ->> '$.input.file_path', b.value ->> '$.input.notebook_path',
            b.value ->> '$.input.path', b.value ->> '$.input.pattern', b.value ->> '$.input.url',
            b.value ->> '$.input.query', b.value ->> '$.input.description',
            substr(b.value ->> '$.input.prompt', 1, 2000))
          WHEN 'tool_result' THEN substr(CASE json_type(b.value, '$.content')
            WHEN 'text' THEN b.value ->> '$.content'
            WHEN 'array' THEN (
              SELECT group_concat(c.value ->> '$.text', ' ')
              FROM json_each(b.value, '$.content') AS c
              WHERE c.type = 'object')
            END, 1, 2000)
          END, ' ')
        FROM json_each(raw, '$.message.content') AS b WHERE b.type = 'object')
      END
    WHEN type = 'system' THEN raw ->> '$.content'
    WHEN type = 'summary' THEN raw ->> '$.summary'
    WHEN type = 'queue-operation' THEN substr(raw ->> '$.content', 1, 2000)
    END, 1, 8000), char(2), ' '), char(3), ' ')`;
