// The user's settings as plain data: their shape, the defaults, how a patch applies, and the
// pure validator (a patch is accepted whole or refused with a reason). Shared by the store
// (src/store/settings.ts reads and writes the table), the server and the settings form.

import { type AlertRuleId, alertRules, isAlertRuleId } from "./alert_catalog.ts";
import type { AlertRuleSetting } from "./alert_types.ts";

/** USD per million tokens; cache prices default to the usual multiples of `input`. */
export interface PriceOverride {
  input: number;
  output: number;
  cache_write_5m?: number;
  cache_write_1h?: number;
  cache_read?: number;
}

export interface Settings {
  alerts: Record<AlertRuleId, AlertRuleSetting>;
  /** Days of events kept in claude-dash's database; null keeps everything. */
  retention_days: number | null;
  /** Price overrides keyed by model id prefix ("claude-sonnet-4-5", "my-proxy-model"). */
  prices: Record<string, PriceOverride>;
  /** Per 5-hour window; null means "use the p90 of completed windows". */
  window_token_limit: number | null;
  window_cost_limit_usd: number | null;
}

export type SettingsPatch = Partial<
  Omit<Settings, "alerts"> & { alerts: Partial<Record<AlertRuleId, Partial<AlertRuleSetting>>> }
>;

export function defaultSettings(): Settings {
  const alerts = {} as Record<AlertRuleId, AlertRuleSetting>;
  for (const r of alertRules) {
    alerts[r.id] = { enabled: r.defaultEnabled, threshold: r.defaultThreshold };
  }
  return {
    alerts,
    retention_days: null,
    prices: {},
    window_token_limit: null,
    window_cost_limit_usd: null,
  };
}

export function applyPatch(base: Settings, patch: SettingsPatch): Settings {
  const out: Settings = { ...base, alerts: { ...base.alerts } };
  if (patch.alerts) {
    for (const [id, s] of Object.entries(patch.alerts)) {
      if (!isAlertRuleId(id) || !s) continue;
      out.alerts[id] = { ...out.alerts[id], ...s };
    }
  }
  if (patch.retention_days !== undefined) out.retention_days = patch.retention_days;
  if (patch.prices !== undefined) out.prices = patch.prices;
  if (patch.window_token_limit !== undefined) out.window_token_limit = patch.window_token_limit;
  if (patch.window_cost_limit_usd !== undefined) {
    out.window_cost_limit_usd = patch.window_cost_limit_usd;
  }
  return out;
}

/**
 * A refused patch: `error` names the field in the words the settings page uses; `field` is its
 * path in the patch ("alerts.failure_streak.threshold", "prices.my-model.input"), so the form can
 * mark the input it came from (null: the patch as a whole).
 */
export type SettingsError = { ok: false; error: string; field: string | null };

type Checked = { ok: true; patch: SettingsPatch } | SettingsError;

const refuse = (field: string | null, error: string): SettingsError => ({
  ok: false,
  error,
  field,
});

/** The settings page's names for the top-level fields. */
const windowLabels = {
  window_token_limit: "5-hour window limit (tokens per window)",
  window_cost_limit_usd: "5-hour window limit (USD per window)",
} as const;

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Checks a patch from the browser (or the database). Pure. */
export function validateSettingsPatch(
  input: unknown,
  opts: { ignoreUnknown?: boolean } = {},
): Checked {
  if (!isObj(input)) return refuse(null, "settings must be a JSON object");
  const patch: SettingsPatch = {};
  for (const [key, v] of Object.entries(input)) {
    switch (key) {
      case "alerts": {
        const alerts = checkAlerts(v, opts);
        if (!alerts.ok) return alerts;
        patch.alerts = alerts.value;
        break;
      }
      case "retention_days":
        if (v !== null && (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 36500)) {
          return refuse(
            key,
            "Retention: the days to keep must be a whole number from 1 to 36500 (or keep everything)",
          );
        }
        patch.retention_days = v as number | null;
        break;
      case "window_token_limit":
      case "window_cost_limit_usd":
        if (v !== null && (!isNum(v) || v <= 0)) {
          return refuse(key, `${windowLabels[key]}: must be a number above 0, or empty to use p90`);
        }
        patch[key] = v as number | null;
        break;
      case "prices": {
        const prices = checkPrices(v);
        if (!prices.ok) return prices;
        patch.prices = prices.value;
        break;
      }
      default:
        if (!opts.ignoreUnknown) return refuse(key, `unknown setting ${JSON.stringify(key)}`);
    }
  }
  return { ok: true, patch };
}

type AlertsPatch = Partial<Record<AlertRuleId, Partial<AlertRuleSetting>>>;
type Part<T> = { ok: true; value: T } | SettingsError;

function checkAlerts(v: unknown, opts: { ignoreUnknown?: boolean }): Part<AlertsPatch> {
  if (!isObj(v)) return refuse("alerts", "Alert rules must be an object keyed by rule");
  const alerts: AlertsPatch = {};
  for (const [id, s] of Object.entries(v)) {
    const rule = alertRules.find((r) => r.id === id);
    if (!rule) {
      if (opts.ignoreUnknown) continue;
      return refuse(`alerts.${id}`, `unknown alert rule ${JSON.stringify(id)}`);
    }
    if (!isObj(s)) return refuse(`alerts.${id}`, `${rule.label}: must be an object`);
    const one: Partial<AlertRuleSetting> = {};
    if (s.enabled !== undefined) {
      if (typeof s.enabled !== "boolean") {
        return refuse(`alerts.${id}.enabled`, `${rule.label}: "on" must be true or false`);
      }
      one.enabled = s.enabled;
    }
    if (s.threshold !== undefined) {
      if (!isNum(s.threshold) || s.threshold < rule.min || s.threshold > 1e12) {
        return refuse(
          `alerts.${id}.threshold`,
          `${rule.label}: the threshold must be a number ≥ ${rule.min} (${rule.unit})`,
        );
      }
      one.threshold = s.threshold;
    }
    alerts[rule.id] = one;
  }
  return { ok: true, value: alerts };
}

function checkPrices(v: unknown): Part<Record<string, PriceOverride>> {
  if (!isObj(v)) return refuse("prices", "Prices must be an object keyed by model id prefix");
  const prices: Record<string, PriceOverride> = {};
  for (const [model, p] of Object.entries(v)) {
    const name = `Price override ${JSON.stringify(model)}`;
    if (!/^[\w.:@\-\[\]\/]{1,100}$/.test(model)) {
      return refuse(
        `prices.${model}`,
        `${name}: not a model id (letters, digits and . : @ - [ ] / only, at most 100)`,
      );
    }
    if (!isObj(p)) return refuse(`prices.${model}`, `${name}: needs numeric input and output`);
    for (const k of ["input", "output"] as const) {
      if (!isNum(p[k])) {
        return refuse(`prices.${model}.${k}`, `${name}: needs numeric input and output prices`);
      }
    }
    const out: PriceOverride = { input: p.input as number, output: p.output as number };
    for (const k of ["cache_write_5m", "cache_write_1h", "cache_read"] as const) {
      if (p[k] === undefined) continue;
      if (!isNum(p[k])) return refuse(`prices.${model}.${k}`, `${name}: ${k} must be a number`);
      out[k] = p[k] as number;
    }
    const bad = (Object.keys(out) as Array<keyof PriceOverride>).find((k) =>
      out[k]! < 0 || out[k]! > 1e6
    );
    if (bad) {
      return refuse(
        `prices.${model}.${bad}`,
        `${name}: prices are USD per million tokens, from 0 to 1000000`,
      );
    }
    prices[model] = out;
  }
  return { ok: true, value: prices };
}
