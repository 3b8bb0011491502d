// Starts a Worker from its module in the checkout when this process may read it (tests, tools),
// else from the bundle `deno task build` embeds (scripts/build_worker.ts → *_worker.gen.ts): the
// server's sandbox (the start task) may not read its own checkout, and `deno compile` carries
// the embedded text. Used by the backfill worker's host (backfill_host.ts) and the usage-first
// pass (usage_first.ts).

export interface StartedWorker {
  worker: Worker;
  /** True when it runs the embedded bundle (the source was not readable). */
  fromBundle: boolean;
  /** Terminates the worker and frees the bundle's Blob URL. Safe to call twice. */
  end(): void;
}

/** Starts the module at `src` (a sibling .ts file's URL), or `bundle` when `src` is unreadable. */
export function startWorker(src: URL, bundle: string, name: string): StartedWorker {
  const readable = src.protocol !== "file:" ||
    Deno.permissions.querySync({ name: "read", path: src.pathname }).state === "granted";
  const url = readable
    ? src.href
    : URL.createObjectURL(new Blob([bundle], { type: "text/javascript" }));
  const worker = new Worker(url, { type: "module", name });
  let ended = false;
  return {
    worker,
    fromBundle: !readable,
    end() {
      if (ended) return;
      ended = true;
      worker.terminate();
      if (!readable) URL.revokeObjectURL(url);
    },
  };
}
