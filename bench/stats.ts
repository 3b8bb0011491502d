// Small pure helpers for the benchmark: percentiles, rates and number formatting.

/** The q-quantile (0..1) of `values` by nearest rank; NaN when empty. Does not modify input. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export interface Percentiles {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length === 0
      ? NaN
      : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return {
    n: sorted.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
  };
}

/** `n` with thousands separators and at most `digits` decimals (fewer for large numbers). */
export function fmt(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "n/a";
  const d = Math.abs(n) >= 1000 ? 0 : Math.abs(n) >= 100 ? Math.min(digits, 1) : digits;
  return n.toLocaleString("en-US", { minimumFractionDigits: 0, maximumFractionDigits: d });
}

export function mib(bytes: number): number {
  return bytes / 1024 / 1024;
}

/** Milliseconds elapsed since `t0` (performance.now()). */
export function since(t0: number): number {
  return performance.now() - t0;
}
