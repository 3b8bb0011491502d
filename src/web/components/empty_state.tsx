// What a page shows while claude-dash has read nothing yet: what it reads and how to get data
// flowing (demo, doctor, the hook command for this machine), instead of an empty table. The
// live feed below it fills in as soon as data appears.

import LiveFeed from "../islands/LiveFeed.tsx";
import { Island } from "./island.tsx";
import { FirstRunGuide } from "./first_run.tsx";

export function EmptyState({ claudeDir }: { claudeDir: string }) {
  return (
    <section class="panel empty" id="empty-state">
      <h1>No Claude Code activity found yet</h1>
      <p>
        claude-dash reads, and never changes, what Claude Code writes under{" "}
        <code>{claudeDir}</code>:
      </p>
      <ul>
        <li>
          <b>Session transcripts</b> in{" "}
          <code>projects/*/*.jsonl</code>: Claude Code writes these by itself. Run{" "}
          <code>claude</code> in any project and this page fills in.
        </li>
        <li>
          <b>Hook event logs</b> in{" "}
          <code>hooks/logs/raw_json/*.json</code>, one file per hook event: these show permission
          prompts and tool calls as they happen: the hook below saves each payload there.
        </li>
        <li>
          <b>The notifier's thread map</b> <code>hooks/threads.db</code>, when present.
        </li>
      </ul>
      <FirstRunGuide />
      <p>
        This page updates by itself as soon as data appears; the <a href="/health">health page</a>
        {" "}
        shows which sources were found.
      </p>
      <Island name="LiveFeed" component={LiveFeed} props={{ initial: [] }} />
    </section>
  );
}
