// The next steps for someone who has no data yet, with the commands written out for this
// machine (src/core/first_run.ts): try the demo, run the doctor, run setup (or install the hook
// by hand). Shown by the empty state and by /health while it waits for data. Server-rendered;
// nothing here moves.

import {
  type FirstRunCommands,
  firstRunCommands,
  hookSettingsJson,
  thisMachine,
} from "../../core/first_run.ts";

export function FirstRunGuide({ commands = firstRunCommands(thisMachine()) }: {
  commands?: FirstRunCommands;
}) {
  const c = commands;
  return (
    <div class="first-run" id="first-run">
      <h2>Get started</h2>
      {c.cwd ? <p class="muted">Run these in the claude-dash folder, {c.cwd}:</p> : null}
      <ol>
        <li>
          <b>See it working now</b>, on synthetic sessions in a temporary folder (your own data is
          not touched): <code id="first-run-demo">{c.demo}</code>
        </li>
        <li>
          <b>Check the setup</b>: it says what is missing and how to fix it:{" "}
          <code id="first-run-doctor">{c.doctor}</code>
        </li>
        <li>
          <b>Install the hook</b>{" "}
          for live permission prompts, notifications and tool timings, and the statusline for
          Claude's official 5-hour and weekly limits, with one command (it shows the change to{" "}
          <code>~/.claude/settings.json</code>, asks first, keeps a backup; <code>--undo</code>{" "}
          puts it back): <code id="first-run-setup">{c.setup}</code>. Or by hand: in{" "}
          <code>~/.claude/settings.json</code>, run this command for every hook event
          {c.hook
            ? (
              <>
                :
                <pre class="cmd"><code id="first-run-hook">{c.hook}</code></pre>
                <details class="first-run-json">
                  <summary>The whole "hooks" block to merge into settings.json</summary>
                  <pre class="cmd"><code id="first-run-hook-json">{hookSettingsJson(c.hook)}</code></pre>
                </details>
              </>
            )
            : (
              <>
                {": build it with "}
                <code id="first-run-hook">{c.hookBuild}</code>, then use the path of{" "}
                <code>claude-dash-hook</code> as the command (README, "Hook logging").
              </>
            )}
        </li>
      </ol>
    </div>
  );
}
