// A full garbage collection on request, where the runtime allows one: the server runs with
// --expose-gc (scripts/launch.ts); elsewhere (tests in process, tools) this does nothing.
// For the end of a phase that leaves tens of MiB behind at once (the usage-first pass, a first
// backfill's hook files): V8 would collect them only once the next phase has grown the heap
// again, so both phases' memory would be resident together.

/** Collects now if the runtime lets this code ask (see the module comment). */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
