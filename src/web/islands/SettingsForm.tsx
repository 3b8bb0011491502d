// The settings page's two interactive parts: the form (alert rules, retention, 5-hour window
// limits, price overrides), saved whole to POST /api/settings, and the ingest actions (rescan,
// pause/resume, vacuum). Both POST with the page's CSRF token (islands/api.ts) and show either
// "saved"/the result or the server's own error message; a refused value is also shown next to
// its input, which is marked (aria-invalid) and focused.

import { type Signal, useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { Settings } from "../../core/settings_schema.ts";
import type { AlertRuleInfo } from "../../core/alert_catalog.ts";
import { ApiError, postJson } from "../client/api.ts";
import type { BuiltInPrice } from "../../core/view_data.ts";
import {
  BuiltInPriceTable,
  fieldAttrs,
  type FieldError,
  fieldFor,
  FieldMessage,
} from "../components/settings_fields.tsx";

export interface SettingsFormProps {
  settings: Settings;
  rules: AlertRuleInfo[];
  builtIn: BuiltInPrice[];
  asOf: string;
}

interface PriceRow {
  model: string;
  input: string;
  output: string;
  /** Cache prices stored earlier (not edited here, kept on save). */
  extra: Record<string, number>;
}

interface Draft {
  alerts: Record<string, { enabled: boolean; threshold: string }>;
  keepAll: boolean;
  days: string;
  tokenLimit: string;
  costLimit: string;
  prices: PriceRow[];
}

type Status = { kind: "idle" | "busy" | "ok" | "error"; text: string };

const text = (n: number | null) => (n === null ? "" : String(n));

function draftOf(s: Settings): Draft {
  const alerts: Draft["alerts"] = {};
  for (const [id, a] of Object.entries(s.alerts)) {
    alerts[id] = { enabled: a.enabled, threshold: String(a.threshold) };
  }
  return {
    alerts,
    keepAll: s.retention_days === null,
    days: text(s.retention_days ?? 30),
    tokenLimit: text(s.window_token_limit),
    costLimit: text(s.window_cost_limit_usd),
    prices: Object.entries(s.prices).map(([model, p]) => {
      const { input, output, ...extra } = p;
      return { model, input: String(input), output: String(output), extra };
    }),
  };
}

/** "" → NaN, which JSON sends as null: the server then says what the field needs. */
function num(s: string): number {
  return s.trim() === "" ? NaN : Number(s);
}

/** Empty means "not set" (null) for the optional limits. */
function optional(s: string): number | null {
  return s.trim() === "" ? null : Number(s);
}

function patchOf(d: Draft) {
  const alerts: Record<string, { enabled: boolean; threshold: number }> = {};
  for (const [id, a] of Object.entries(d.alerts)) {
    alerts[id] = { enabled: a.enabled, threshold: num(a.threshold) };
  }
  const prices: Record<string, Record<string, number>> = {};
  for (const r of d.prices) {
    if (r.model.trim() === "") continue;
    prices[r.model.trim()] = { ...r.extra, input: num(r.input), output: num(r.output) };
  }
  return {
    alerts,
    retention_days: d.keepAll ? null : num(d.days),
    window_token_limit: optional(d.tokenLimit),
    window_cost_limit_usd: optional(d.costLimit),
    prices,
  };
}

function StatusLine({ status, id }: { status: Signal<Status>; id: string }) {
  const s = status.value;
  return (
    <span
      id={id}
      class={`save-status ${s.kind === "error" ? "bad" : s.kind === "ok" ? "ok" : "muted"}`}
      role="status"
      aria-live="polite"
      data-state={s.kind}
    >
      {s.text}
    </span>
  );
}

/** Applies a change to a copy of the draft (the form's only way to edit it). */
type Edit = (change: (d: Draft) => void) => void;

interface SectionProps {
  d: Draft;
  edit: Edit;
  /** The refused value, if the last save was refused (its input is marked). */
  err: FieldError;
}

function AlertRulesTable({ d, edit, err, rules }: SectionProps & { rules: AlertRuleInfo[] }) {
  return (
    <>
      <h2>Alert rules</h2>
      <div class="table-wrap">
        <table id="alert-rules">
          <thead>
            <tr>
              <th scope="col">On</th>
              <th scope="col">Rule</th>
              <th scope="col">Threshold</th>
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => {
              const a = d.alerts[r.id] ?? { enabled: r.defaultEnabled, threshold: "" };
              const setRule = (change: Partial<Draft["alerts"][string]>) =>
                edit((n) => {
                  n.alerts[r.id] = { ...(n.alerts[r.id] ?? a), ...change };
                });
              return (
                <tr key={r.id} data-rule={r.id}>
                  <td>
                    <input
                      type="checkbox"
                      id={`rule-${r.id}-enabled`}
                      aria-label={`${r.label}: on`}
                      checked={a.enabled}
                      onChange={(e) => setRule({ enabled: e.currentTarget.checked })}
                      {...fieldAttrs(`alerts.${r.id}.enabled`, err)}
                    />
                    <FieldMessage path={`alerts.${r.id}.enabled`} err={err} />
                  </td>
                  <td>
                    <label for={`rule-${r.id}-threshold`}>{r.label}</label>
                  </td>
                  <td class="threshold">
                    <input
                      type="number"
                      id={`rule-${r.id}-threshold`}
                      min={r.min}
                      step="any"
                      value={a.threshold}
                      onInput={(e) => setRule({ threshold: e.currentTarget.value })}
                      {...fieldAttrs(`alerts.${r.id}.threshold`, err)}
                    />{" "}
                    <span class="muted">{r.unit}</span>
                    <FieldMessage path={`alerts.${r.id}.threshold`} err={err} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

function RetentionFields({ d, edit, err }: SectionProps) {
  return (
    <>
      <h2>Retention</h2>
      <p class="muted">
        Deletes only from claude-dash's own database; the files under ~/.claude are never touched,
        and deleted events are not read in again.
      </p>
      <fieldset class="inline" id="retention">
        <legend class="sr-only">Keep events</legend>
        <label>
          <input
            type="radio"
            name="retention"
            id="retention-all"
            checked={d.keepAll}
            onChange={() => edit((n) => (n.keepAll = true))}
          />{" "}
          keep everything
        </label>
        <label>
          <input
            type="radio"
            name="retention"
            id="retention-days-on"
            checked={!d.keepAll}
            onChange={() => edit((n) => (n.keepAll = false))}
          />{" "}
          keep the last{" "}
          <input
            type="number"
            id="retention-days"
            min={1}
            step={1}
            value={d.days}
            disabled={d.keepAll}
            aria-label="days to keep"
            onInput={(e) => edit((n) => (n.days = e.currentTarget.value))}
            {...fieldAttrs("retention_days", err)}
          />{" "}
          days
        </label>
        <FieldMessage path="retention_days" err={err} />
      </fieldset>
    </>
  );
}

function WindowLimitFields({ d, edit, err }: SectionProps) {
  return (
    <>
      <h2>5-hour window limits</h2>
      <p class="muted">Empty: the 90th percentile of your completed windows is used.</p>
      <div class="inline">
        <label>
          Tokens per window{" "}
          <input
            type="number"
            id="window-token-limit"
            min={1}
            step="any"
            placeholder="p90"
            value={d.tokenLimit}
            onInput={(e) => edit((n) => (n.tokenLimit = e.currentTarget.value))}
            {...fieldAttrs("window_token_limit", err)}
          />
        </label>
        <FieldMessage path="window_token_limit" err={err} />
        <label>
          USD per window{" "}
          <input
            type="number"
            id="window-cost-limit"
            min={0}
            step="any"
            placeholder="p90"
            value={d.costLimit}
            onInput={(e) => edit((n) => (n.costLimit = e.currentTarget.value))}
            {...fieldAttrs("window_cost_limit_usd", err)}
          />
        </label>
        <FieldMessage path="window_cost_limit_usd" err={err} />
      </div>
    </>
  );
}

function PriceOverridesTable({ d, edit, err }: SectionProps) {
  return (
    <div>
      <h3>Your overrides</h3>
      <table id="price-overrides">
        <thead>
          <tr>
            <th scope="col">Model id prefix</th>
            <th scope="col" class="num">Input</th>
            <th scope="col" class="num">Output</th>
            <th scope="col">
              <span class="sr-only">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {d.prices.map((p, i) => {
            const path = `prices.${p.model.trim()}`;
            const priceCell = (field: "input" | "output") => (
              <td class="num">
                <input
                  type="number"
                  aria-label={`${field} USD per million tokens`}
                  min={0}
                  step="any"
                  value={p[field]}
                  onInput={(e) => edit((n) => (n.prices[i][field] = e.currentTarget.value))}
                  {...fieldAttrs(`${path}.${field}`, err)}
                />
                <FieldMessage path={`${path}.${field}`} err={err} />
              </td>
            );
            return (
              <tr key={i} data-price-row={i}>
                <td>
                  <input
                    type="text"
                    aria-label="model id prefix"
                    placeholder="claude-sonnet-4-5"
                    value={p.model}
                    onInput={(e) => edit((n) => (n.prices[i].model = e.currentTarget.value))}
                    {...fieldAttrs(path, err)}
                  />
                  <FieldMessage path={path} err={err} />
                </td>
                {priceCell("input")}
                {priceCell("output")}
                <td>
                  <button
                    type="button"
                    class="link"
                    onClick={() => edit((n) => n.prices.splice(i, 1))}
                  >
                    remove
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <button
        type="button"
        id="price-add"
        onClick={() => edit((n) => n.prices.push({ model: "", input: "", output: "", extra: {} }))}
      >
        Add an override
      </button>
    </div>
  );
}

export default function SettingsForm({ settings, rules, builtIn, asOf }: SettingsFormProps) {
  const draft = useSignal(draftOf(settings));
  const status = useSignal<Status>({ kind: "idle", text: "" });
  const fieldError = useSignal<FieldError>(null);
  const form = useRef<HTMLFormElement>(null);
  const d = draft.value;
  const err = fieldError.value;
  const edit: Edit = (change) => {
    const next = structuredClone(draft.peek());
    change(next);
    draft.value = next;
    fieldError.value = null;
    if (status.peek().kind !== "busy") status.value = { kind: "idle", text: "" };
  };
  // The refused input takes the focus once it is marked.
  useEffect(() => {
    if (!err) return;
    const inputs = form.current?.querySelectorAll<HTMLElement>("[data-field]") ?? [];
    [...inputs].find((e) => e.dataset.field === err.field)?.focus();
  }, [err]);
  const save = async (e: Event) => {
    e.preventDefault();
    status.value = { kind: "busy", text: "saving…" };
    try {
      const res = await postJson<{ settings: Settings; notes?: string[] }>(
        "/api/settings",
        patchOf(draft.peek()),
      );
      draft.value = draftOf(res.settings);
      status.value = {
        kind: "ok",
        text: ["saved", ...(res.notes ?? [])].join(" · "),
      };
    } catch (e) {
      status.value = { kind: "error", text: e instanceof Error ? e.message : String(e) };
      fieldError.value = refusedField(e, form.current);
    }
  };
  const sections = { d, edit, err };
  return (
    <form class="settings" id="settings-form" onSubmit={save} noValidate ref={form}>
      <AlertRulesTable {...sections} rules={rules} />

      <RetentionFields {...sections} />

      <WindowLimitFields {...sections} />

      <h2>Prices</h2>
      <p class="muted">
        USD per million tokens. An override applies to every model id starting with its prefix (the
        longest prefix wins) and re-prices the usage already stored. Cache writes cost 1.25× (5
        minutes) or 2× (1 hour) the input price, cache reads 0.1×.
      </p>
      <div class="pair">
        <PriceOverridesTable {...sections} />
        <BuiltInPriceTable builtIn={builtIn} asOf={asOf} />
      </div>

      <p class="save-row">
        <button type="submit" id="settings-save" disabled={status.value.kind === "busy"}>
          Save settings
        </button>{" "}
        <StatusLine status={status} id="settings-status" />
      </p>
    </form>
  );
}

/** The input the server's 400 names (its `field`), when the form has one for it. */
function refusedField(e: unknown, form: HTMLFormElement | null): FieldError {
  const field = e instanceof ApiError ? e.body.field : null;
  if (typeof field !== "string" || !form) return null;
  const paths = [...form.querySelectorAll<HTMLElement>("[data-field]")]
    .map((el) => el.dataset.field ?? "");
  const at = fieldFor(field, paths);
  return at === null ? null : { field: at, message: e instanceof Error ? e.message : "" };
}

export interface IngestActionsProps {
  paused: boolean;
  /** False when this server runs without an ingester (nothing to rescan or pause). */
  available: boolean;
}

interface ActionResult {
  paused?: boolean;
  message?: string;
}

/** Rescan, pause/resume and vacuum buttons with the ingest state. */
export function IngestActions({ paused, available }: IngestActionsProps) {
  const state = useSignal(paused);
  const status = useSignal<Status>({ kind: "idle", text: "" });
  const run = async (path: string, busyText: string) => {
    status.value = { kind: "busy", text: busyText };
    try {
      const res = await postJson<ActionResult>(path);
      if (res.paused !== undefined) state.value = res.paused;
      status.value = { kind: "ok", text: res.message ?? "done" };
    } catch (err) {
      status.value = { kind: "error", text: err instanceof Error ? err.message : String(err) };
    }
  };
  const busy = status.value.kind === "busy";
  return (
    <div class="actions" id="ingest-actions">
      <p>
        Live ingest:{" "}
        <b id="ingest-state" data-state={state.value ? "paused" : "live"}>
          {state.value ? "paused" : "live"}
        </b>
      </p>
      <p class="buttons">
        <button
          type="button"
          id="action-rescan"
          disabled={!available || busy}
          onClick={() => run("/api/actions/rescan", "rescanning…")}
        >
          Rescan now
        </button>
        <button
          type="button"
          id="action-pause"
          disabled={!available || busy}
          onClick={() =>
            state.value
              ? run("/api/actions/resume", "resuming…")
              : run("/api/actions/pause", "pausing…")}
        >
          {state.value ? "Resume live ingest" : "Pause live ingest"}
        </button>
        <button
          type="button"
          id="action-vacuum"
          disabled={busy}
          onClick={() => run("/api/actions/vacuum", "vacuuming… (may take a while)")}
        >
          Vacuum the database
        </button>{" "}
        <StatusLine status={status} id="action-status" />
      </p>
    </div>
  );
}
