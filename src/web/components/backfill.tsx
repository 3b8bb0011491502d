// The backfill progress bar's server side: the island while a backfill runs (its first paint
// is the server's reading), nothing once it is done. Used by the overview and /health.

import type { BackfillProgress } from "../../core/progress.ts";
import BackfillBar from "../islands/BackfillBar.tsx";
import { Island } from "./island.tsx";

/** The backfill progress bar while a backfill runs; nothing once it is done. */
export function BackfillIsland({ backfill }: { backfill?: BackfillProgress | null }) {
  if (!backfill || backfill.phase === "done") return null;
  return <Island name="BackfillBar" component={BackfillBar} props={{ initial: backfill }} />;
}
