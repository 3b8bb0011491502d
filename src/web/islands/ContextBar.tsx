// How full a session's context is: the latest turn's input + cache tokens against the model's
// window, as a bar (a <meter>: the page's CSP allows no inline styles) with the figures as text.
// Above contextWarnRatio of the window it warns. Rendered on the server and inside islands.

import { contextWarnRatio } from "../../core/config.ts";
import { compact, percent } from "../../core/format.ts";

export interface ContextBarProps {
  tokens: number | null;
  window: number | null;
  /** id of the outer element (the session page's head has one). */
  id?: string;
  /** Only the share as text (the overview board's narrow column); the figures are in the title. */
  short?: boolean;
}

/** Share of the window in use, or null when either figure is unknown. Pure. */
export function contextRatio(tokens: number | null, window: number | null): number | null {
  return tokens === null || !window ? null : tokens / window;
}

export function ContextBar({ tokens, window, id, short }: ContextBarProps) {
  if (tokens === null) {
    return <span class="ctx ctx-none muted" id={id}>–</span>;
  }
  const ratio = contextRatio(tokens, window);
  const warn = ratio !== null && ratio > contextWarnRatio;
  // A <meter> is one element per row (the sessions table has hundreds) and says what it is
  // to assistive technology; its own colouring also turns at `high`.
  return (
    <span
      class={`ctx${warn ? " ctx-warn" : ""}`}
      id={id}
      title={id || short ? contextTitle(tokens, window, warn) : undefined}
      data-context-ratio={ratio === null ? undefined : ratio.toFixed(4)}
    >
      {window
        ? (
          <meter
            class="ctx-bar"
            min={0}
            max={window}
            value={tokens}
            high={Math.round(window * contextWarnRatio)}
            optimum={0}
          />
        )
        : null}
      <span class="ctx-text">
        {short && ratio !== null
          ? percent(ratio)
          : window === null
          ? compact(tokens)
          : `${compact(tokens)} / ${compact(window)}`}
        {!short && ratio !== null ? ` · ${percent(ratio)}` : ""}
      </span>
    </span>
  );
}

function contextTitle(tokens: number, window: number | null, warn: boolean): string {
  if (window === null) {
    return `${tokens.toLocaleString("en")} tokens in context; the model's window is unknown`;
  }
  return `${tokens.toLocaleString("en")} of ${window.toLocaleString("en")} tokens in context${
    warn ? ": close to the window, Claude Code will compact soon" : ""
  }`;
}

/** The "archived" mark of a session whose transcripts are gone (its data is kept). */
export function ArchivedBadge({ source }: { source: "live" | "archived" }) {
  if (source !== "archived") return null;
  return (
    <span
      class="pill pill-archived"
      data-source="archived"
      title="Its transcript files are gone (Claude Code cleaned them up); this is claude-dash's stored copy"
    >
      archived
    </span>
  );
}
