// Tables that fit their panel. A `.table-wrap.fit` is a CSS size container: below each table's
// widths (static/style.css, "tables that fit") its lower-priority columns are hidden, in the order
// the table's own module states. Nothing is hidden silently: this line lists exactly the hidden
// columns (the same container queries show their checkboxes) and checking one shows its column
// again. Rendered on the server and inside islands; src/web/client/fit.ts remembers choices.

/** A column that may be hidden on a narrow window: `key` names its cells' class `c-<key>`. */
export interface DroppableColumn {
  key: string;
  label: string;
}

/** "Columns hidden to fit — show: □ Tokens □ Cost", listing only the columns hidden right now. */
export function HiddenColumns(
  { table, columns }: { table: string; columns: DroppableColumn[] },
) {
  return (
    <p class="cols-hidden" data-cols-table={table}>
      <span class="muted">Columns hidden to fit this width — show:</span>
      {columns.map((c) => (
        <label key={c.key} class={`col-toggle t-${c.key}`}>
          <input type="checkbox" data-col={c.key} /> {c.label}
        </label>
      ))}
    </p>
  );
}

/** Class of a column's header and cells (`c-<key>`), plus any other classes. */
export function col(key: string, ...more: Array<string | false | undefined>): string {
  return [`c-${key}`, ...more.filter(Boolean)].join(" ");
}
