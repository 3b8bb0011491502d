// Form controls and paging shared by the list pages. Filters are plain GET forms, so every
// view is a URL; a small script submits them as soon as a menu changes.

import type { ComponentChildren } from "preact";
import { withQuery } from "../../core/format.ts";
import type { RangePreset } from "../page_params.ts";

export const rangeLabels: Record<RangePreset | "all", string> = {
  "15m": "last 15 minutes",
  "1h": "last hour",
  "6h": "last 6 hours",
  "24h": "last 24 hours",
  "7d": "last 7 days",
  "30d": "last 30 days",
  all: "all time",
};

export function FilterForm(
  { children, id, action }: { children: ComponentChildren; id: string; action: string },
) {
  return (
    <form class="filters" id={id} method="get" action={action} data-autosubmit="">
      {children}
      <button type="submit">Apply</button>
      <a href={action} class="reset">Reset</a>
    </form>
  );
}

export function Select(
  { name, label, value, options, any = "any" }: {
    name: string;
    label: string;
    value: string | undefined;
    options: Array<string | [string, string]>;
    any?: string;
  },
) {
  const opts = options.map((o) => (typeof o === "string" ? [o, o] : o));
  // A value from the URL that the menu does not list (e.g. an old project) stays selectable.
  if (value && !opts.some(([v]) => v === value)) opts.unshift([value, value]);
  return (
    <label>
      <span>{label}</span>
      <select name={name}>
        <option value="" selected={!value}>{any}</option>
        {opts.map(([v, text]) => <option key={v} value={v} selected={v === value}>{text}</option>)}
      </select>
    </label>
  );
}

export function RangeSelect({ value }: { value: string }) {
  const options = Object.entries(rangeLabels).filter(([k]) => k !== "all") as Array<
    [string, string]
  >;
  return (
    <Select
      name="range"
      label="Time"
      value={value === "all" || value === "custom" ? undefined : value}
      options={options}
      any={value === "custom" ? "custom (since/until)" : "all time"}
    />
  );
}

export function TextInput(
  { name, label, value, placeholder, type = "text" }: {
    name: string;
    label: string;
    value: string | undefined;
    placeholder?: string;
    type?: string;
  },
) {
  return (
    <label>
      <span>{label}</span>
      <input type={type} name={name} value={value ?? ""} placeholder={placeholder} />
    </label>
  );
}

/** Hidden inputs carrying the rest of the view's state through a filter form. */
export function Hidden({ values }: { values: Record<string, string | undefined> }) {
  return (
    <>
      {Object.entries(values).map(([k, v]) =>
        v ? <input key={k} type="hidden" name={k} value={v} /> : null
      )}
    </>
  );
}

/** Offset paging: "1–50 of 120" with previous/next links. */
export function OffsetPager(
  { query, offset, limit, total, noun }: {
    query: string;
    offset: number;
    limit: number;
    total: number;
    noun: string;
  },
) {
  const end = Math.min(total, offset + limit);
  return (
    <nav class="pager" aria-label={`${noun} pages`}>
      <span class="muted">
        {total === 0 ? `No ${noun}` : `${offset + 1}–${end} of ${total} ${noun}`}
      </span>
      {offset > 0
        ? (
          <a rel="prev" href={withQuery(query, { offset: Math.max(0, offset - limit) || null })}>
            ‹ Previous
          </a>
        )
        : null}
      {end < total
        ? <a rel="next" href={withQuery(query, { offset: offset + limit })}>Next ›</a>
        : null}
    </nav>
  );
}
