// Display text on pages and in islands: a prompt or summary without terminal escapes or
// slash-command markup (stored summaries are clean already; this also covers text that reaches
// a page another way), with a slash command's name shown as a chip.

import { displayText } from "../../core/text.ts";

// "/name" at the start, then a space or the end: "/usr/bin/x" is a path, not a command.
const slashCommand = /^(\/[A-Za-z][\w:.-]*)(?:\s+([\s\S]*))?$/;

/** A slash command's name and arguments, or null when the text is not one. Pure. */
export function slashParts(text: string): { name: string; args: string } | null {
  const m = slashCommand.exec(text);
  return m ? { name: m[1], args: m[2] ?? "" } : null;
}

/** A prompt or summary: `/init args` shows its command as a chip. */
export function PromptText({ text }: { text: string }) {
  const clean = displayText(text);
  const slash = slashParts(clean);
  if (!slash) return <>{clean}</>;
  return (
    <>
      <code class="slash">{slash.name}</code>
      {slash.args ? ` ${slash.args}` : null}
    </>
  );
}
