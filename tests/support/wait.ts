/** Polls `check` every few ms until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs: number,
  what = "condition",
): Promise<Exclude<T, undefined | null | false | 0 | "">> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as Exclude<T, undefined | null | false | 0 | "">;
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function count(db: { prepare(sql: string): { get(): unknown } }, sql: string): number {
  return (db.prepare(sql).get() as { n: number }).n;
}
