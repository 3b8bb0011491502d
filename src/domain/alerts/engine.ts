// The alert engine: evaluates the rules shortly after each ingest commit (debounced) and on a
// steady tick (waits and long-running calls become alerts with time alone), stores the result
// and publishes every changed alert as {type: "alert", alert} through its `publish` option
// (the live bus, wired in src/commands/dashboard.ts). It never throws into its callers: a
// failed evaluation is logged and counted, and the next one tries again.

import type { Db } from "../../store/db.ts";
import type { ActiveBlock, AlertRow, LiveMessage } from "../../core/types.ts";
import type { OfficialLimits } from "../../core/rate_limits.ts";
import { readSettings } from "../../store/settings.ts";
import { reconcile } from "../../store/write/alerts.ts";
import { alertSnapshot } from "../../store/read/alerts.ts";
import { evaluateRules } from "./rules.ts";
import { alertDebounceMs, alertMinIntervalMs, alertTickMs } from "../../core/config.ts";
import { log } from "../../core/log.ts";

export interface AlertEngineOptions {
  db: Db;
  /** Where changed alerts go (the live bus). */
  publish: (messages: LiveMessage[]) => void;
  /** The 5-hour window in progress (src/usage/), for the window_over_limit rule. */
  activeBlock?: () => ActiveBlock | null;
  /** Claude's own 5-hour and weekly figures (src/domain/usage/official.ts), for limit_runout. */
  official?: (now: number) => OfficialLimits;
  tickMs?: number;
  debounceMs?: number;
  /** Least time between two commit-triggered evaluations (default alertMinIntervalMs). */
  minIntervalMs?: number;
  /** The clock (tests of time-based rules may move it). */
  now?: () => number;
}

export interface AlertEngineStats {
  evaluations: number;
  /** Evaluations that failed (logged); the engine keeps going. */
  errors: number;
  /** Alert changes published. */
  published: number;
  /** Duration of the last evaluation, in ms. */
  lastEvalMs: number;
}

export class AlertEngine {
  readonly stats: AlertEngineStats = { evaluations: 0, errors: 0, published: 0, lastEvalMs: 0 };
  #opts: AlertEngineOptions;
  #tick: ReturnType<typeof setInterval> | undefined;
  #pending: ReturnType<typeof setTimeout> | undefined;
  #started = false;
  #stopped = false;
  #lastError = "";
  /** When the last commit-triggered evaluation ran (the 1 s tick does not hold commits back). */
  #lastEvalAt = -Infinity;

  constructor(opts: AlertEngineOptions) {
    this.#opts = opts;
  }

  /** Evaluates now and then every tick. Idempotent; a stopped engine stays stopped. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.evaluate();
    const tick = setInterval(() => this.evaluate(), this.#opts.tickMs ?? alertTickMs);
    Deno.unrefTimer(tick);
    this.#tick = tick;
  }

  /**
   * Something was committed: evaluate soon. Calls within the debounce coalesce, and under a
   * steady stream of commits evaluations are at least alertMinIntervalMs apart: each one runs
   * on the server's only thread, between the writes to live clients.
   */
  notify(): void {
    if (!this.#started || this.#stopped || this.#pending !== undefined) return;
    const sinceLast = performance.now() - this.#lastEvalAt;
    const wait = Math.max(
      this.#opts.debounceMs ?? alertDebounceMs,
      (this.#opts.minIntervalMs ?? alertMinIntervalMs) - sinceLast,
    );
    this.#pending = setTimeout(() => {
      this.#pending = undefined;
      this.#lastEvalAt = performance.now();
      this.evaluate();
    }, wait);
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#tick);
    clearTimeout(this.#pending);
    this.#pending = undefined;
  }

  /** One evaluation: store → rules → store → publish. Returns the changed alerts ([] after a failure). */
  evaluate(): AlertRow[] {
    if (this.#stopped) return [];
    const t0 = performance.now();
    try {
      const { db, publish } = this.#opts;
      const now = this.#opts.now?.() ?? Date.now();
      const settings = readSettings(db).alerts;
      const block = settings.window_over_limit.enabled ? this.#activeBlock() : null;
      const snap = alertSnapshot(db, settings, now, block);
      if (settings.limit_runout?.enabled && this.#opts.official) {
        snap.official = this.#opts.official(now);
      }
      const conditions = evaluateRules(snap, settings, now);
      const changed = reconcile(db, conditions, now);
      this.stats.evaluations++;
      if (changed.length > 0) {
        publish(changed.map((alert) => ({ type: "alert", alert })));
        this.stats.published += changed.length;
      }
      return changed;
    } catch (e) {
      this.#failed("evaluating alerts failed", e);
      return [];
    } finally {
      this.stats.lastEvalMs = performance.now() - t0;
    }
  }

  #activeBlock(): ActiveBlock | null {
    if (!this.#opts.activeBlock) return null;
    try {
      return this.#opts.activeBlock();
    } catch (e) {
      this.#failed("reading the active 5-hour window failed", e);
      return null;
    }
  }

  #failed(what: string, e: unknown): void {
    this.stats.errors++;
    const message = `${what}: ${e instanceof Error ? e.message : String(e)}`;
    // Once per distinct failure: a persistent one would otherwise log every second.
    if (message === this.#lastError) return;
    this.#lastError = message;
    log.error(message);
  }
}
