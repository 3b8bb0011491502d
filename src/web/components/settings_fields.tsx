// Pieces of the settings form that hold no state: how an input is tied to its path in the
// settings patch (so a refused value can be marked where it was typed), the message shown next
// to it, and the built-in price table.

import type { BuiltInPrice } from "../../core/view_data.ts";

/** The value the server refused: the path of the input it came from, and why. */
export type FieldError = { field: string; message: string } | null;

/** The id of the message next to a refused input (its aria-describedby). */
export const fieldErrorId = "settings-field-error";

/** An input's link to its path in the patch, and its marking while its value is refused. */
export function fieldAttrs(path: string, err: FieldError) {
  const on = err?.field === path;
  return {
    "data-field": path,
    "aria-invalid": on ? ("true" as const) : undefined,
    "aria-describedby": on ? fieldErrorId : undefined,
    class: on ? "invalid" : undefined,
  };
}

/** The server's reason, next to the input it is about. */
export function FieldMessage({ path, err }: { path: string; err: FieldError }) {
  if (err?.field !== path) return null;
  return <span class="field-error bad" id={fieldErrorId} role="alert">{err.message}</span>;
}

/**
 * The input a refused path belongs to: the one with that exact path, else the one whose path is
 * its longest prefix (a price's cache field marks the model's row), else none.
 */
export function fieldFor(refused: string, paths: string[]): string | null {
  let best: string | null = null;
  for (const p of paths) {
    const fits = refused === p || refused.startsWith(`${p}.`);
    if (fits && (best === null || p.length > best.length)) best = p;
  }
  return best;
}

export function BuiltInPriceTable({ builtIn, asOf }: { builtIn: BuiltInPrice[]; asOf: string }) {
  return (
    <div>
      <h3>Built-in (as of {asOf})</h3>
      <table id="price-table">
        <thead>
          <tr>
            <th scope="col">Model id</th>
            <th scope="col" class="num">Input</th>
            <th scope="col" class="num">Output</th>
          </tr>
        </thead>
        <tbody>
          {builtIn.map((p) => (
            <tr key={p.pattern}>
              <td class="mono">{p.pattern.replace(/^\^/, "") + "…"}</td>
              <td class="num">{p.input}</td>
              <td class="num">{p.output}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
