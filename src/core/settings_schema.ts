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

type Checked = { ok: true; patch: SettingsPatch } | { ok: false; error: string };

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Checks a patch from the browser (or the database). Pure. */
export function validateSettingsPatch(
  input: unknown,
  opts: { ignoreUnknown?: boolean } = {},
): Checked {
  if (!isObj(input)) return { ok: false, error: "settings must be a JSON object" };
  const patch: SettingsPatch = {};
  for (const [key, v] of Object.entries(input)) {
    switch (key) {
      case "alerts": {
        if (!isObj(v)) return { ok: false, error: "alerts must be an object of rules" };
        const alerts: Partial<Record<AlertRuleId, Partial<AlertRuleSetting>>> = {};
        for (const [id, s] of Object.entries(v)) {
          const rule = alertRules.find((r) => r.id === id);
          if (!rule) {
            if (opts.ignoreUnknown) continue;
            return { ok: false, error: `unknown alert rule ${JSON.stringify(id)}` };
          }
          if (!isObj(s)) return { ok: false, error: `alerts.${id} must be an object` };
          const one: Partial<AlertRuleSetting> = {};
          if (s.enabled !== undefined) {
            if (typeof s.enabled !== "boolean") {
              return { ok: false, error: `alerts.${id}.enabled must be true or false` };
            }
            one.enabled = s.enabled;
          }
          if (s.threshold !== undefined) {
            if (!isNum(s.threshold) || s.threshold < rule.min || s.threshold > 1e12) {
              return {
                ok: false,
                error: `alerts.${id}.threshold must be a number ≥ ${rule.min} (${rule.unit})`,
              };
            }
            one.threshold = s.threshold;
          }
          alerts[rule.id] = one;
        }
        patch.alerts = alerts;
        break;
      }
      case "retention_days":
        if (v !== null && (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 36500)) {
          return { ok: false, error: "retention_days must be null (keep all) or 1–36500 days" };
        }
        patch.retention_days = v as number | null;
        break;
      case "window_token_limit":
      case "window_cost_limit_usd":
        if (v !== null && (!isNum(v) || v <= 0)) {
          return { ok: false, error: `${key} must be null (use p90) or a positive number` };
        }
        patch[key] = v as number | null;
        break;
      case "prices": {
        if (!isObj(v)) return { ok: false, error: "prices must be an object keyed by model" };
        const prices: Record<string, PriceOverride> = {};
        for (const [model, p] of Object.entries(v)) {
          if (!/^[\w.:@\-\[\]\/]{1,100}$/.test(model)) {
            return { ok: false, error: `price key ${JSON.stringify(model)} is not a model id` };
          }
          if (!isObj(p) || !isNum(p.input) || !isNum(p.output)) {
            return { ok: false, error: `prices.${model} needs numeric input and output` };
          }
          const out: PriceOverride = { input: p.input, output: p.output };
          for (const k of ["cache_write_5m", "cache_write_1h", "cache_read"] as const) {
            if (p[k] === undefined) continue;
            if (!isNum(p[k])) return { ok: false, error: `prices.${model}.${k} must be a number` };
            out[k] = p[k] as number;
          }
          if (Object.values(out).some((n) => n < 0 || n > 1e6)) {
            return { ok: false, error: `prices.${model}: prices are USD per million tokens, ≥ 0` };
          }
          prices[model] = out;
        }
        patch.prices = prices;
        break;
      }
      default:
        if (!opts.ignoreUnknown) {
          return { ok: false, error: `unknown setting ${JSON.stringify(key)}` };
        }
    }
  }
  return { ok: true, patch };
}
