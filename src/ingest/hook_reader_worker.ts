// The hook reader (hook_reader.ts): reads the batches the backfill worker sends on the port the
// host hands over, and answers each with what reading it queued. Started by backfill_host.ts.

import { type HookReadRequest, readHookBatch } from "./hook_reader.ts";
import { FolderCheck } from "./sources.ts";

self.onmessage = (e: MessageEvent<{ dir: string; port: MessagePort }>) => {
  const { dir, port } = e.data;
  const folders = new FolderCheck(dir);
  port.onmessage = async (m: MessageEvent<HookReadRequest>) => {
    port.postMessage(await readHookBatch(dir, folders, m.data));
  };
};
