// Pages that fit, in the browser. Remembers, per table, which hidden columns the reader brought
// back (src/web/components/columns.tsx): the choice survives sorting, paging and reloads (only
// the checkboxes change; the CSS does the showing). And gives text cut off with an ellipsis its
// full text on hover, only where it is cut off, so pages do not ship every long text twice.

const keyPrefix = "claude-dash:columns:";

function stored(table: string): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(keyPrefix + table) ?? "[]");
    return Array.isArray(v) ? v.filter((k): k is string => typeof k === "string") : [];
  } catch {
    return [];
  }
}

/** Restores the checkboxes of every "columns hidden" line and saves each change. */
export function rememberColumns(): void {
  for (const line of document.querySelectorAll<HTMLElement>("[data-cols-table]")) {
    const shown = new Set(stored(line.dataset.colsTable ?? ""));
    for (const box of line.querySelectorAll<HTMLInputElement>("input[data-col]")) {
      if (shown.has(box.dataset.col ?? "")) box.checked = true;
    }
  }
  document.addEventListener("change", (e) => {
    const box = e.target;
    if (!(box instanceof HTMLInputElement) || box.dataset.col === undefined) return;
    const line = box.closest<HTMLElement>("[data-cols-table]");
    if (!line) return;
    const checked = [...line.querySelectorAll<HTMLInputElement>("input[data-col]:checked")]
      .map((b) => b.dataset.col ?? "");
    try {
      localStorage.setItem(keyPrefix + (line.dataset.colsTable ?? ""), JSON.stringify(checked));
    } catch {
      // storage refused (private mode, quota): the choice lasts for this page only
    }
  });
}

/** On hover, text clipped with an ellipsis (and not titled already) gets its full text as title. */
export function titleClipped(): void {
  document.addEventListener("pointerover", (e) => {
    for (let el = e.target as Element | null; el && el !== document.body; el = el.parentElement) {
      if (!(el instanceof HTMLElement) || el.scrollWidth <= el.clientWidth) continue;
      if (getComputedStyle(el).textOverflow !== "ellipsis") continue;
      if (!el.closest("[title]")) el.title = (el.textContent ?? "").trim();
      return;
    }
  });
}
