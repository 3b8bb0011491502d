// Planning a generated tree: the projects, each session's identity (model, branch, permission
// mode, event budget, seed) and the work bursts that session starts cluster in.

import { BRANCHES, MODEL_WEIGHTS, MODES, PROJECT_NAMES } from "./content.ts";
import type { Rng } from "./rng.ts";

export interface Project {
  cwd: string;
  slug: string;
}

export interface SessionSpec {
  id: string;
  project: Project;
  model: string;
  branch: string;
  mode: string;
  budget: number;
  seed: number;
}

export function makeProjects(rng: Rng, n: number): Project[] {
  const out: Project[] = [];
  for (let i = 0; i < n; i++) {
    const base = PROJECT_NAMES[i % PROJECT_NAMES.length];
    const round = Math.floor(i / PROJECT_NAMES.length);
    const name = round === 0 ? base : `${base}-${round + 1}`;
    const parent = rng.chance(0.15) ? "/home/dev/work" : "/home/dev";
    const cwd = `${parent}/${name}`;
    out.push({ cwd, slug: cwd.replaceAll("/", "-") });
  }
  return out;
}

export function makeSessionSpec(
  rng: Rng,
  seed: number,
  project: Project,
  budget: number,
): SessionSpec {
  return {
    id: rng.uuid(),
    project,
    model: rng.weighted(MODEL_WEIGHTS),
    branch: rng.pick(BRANCHES),
    mode: rng.weighted(MODES),
    budget,
    seed,
  };
}

/** Splits `events` over `n` sessions with exponential-ish weights; the parts sum to `events`. */
export function splitBudget(rng: Rng, events: number, n: number): number[] {
  const w: number[] = [];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = 0.15 - Math.log(1 - rng.next() * 0.999);
    w.push(x);
    sum += x;
  }
  const out: number[] = [];
  let given = 0;
  for (let i = 0; i < n; i++) {
    const b = Math.floor((events * w[i]) / sum);
    out.push(b);
    given += b;
  }
  for (let i = 0; given < events; i = (i + 1) % n, given++) out[i]++;
  return out;
}

interface Burst {
  center: number;
  width: number;
}

/** Work bursts (clusters of session starts) inside [from, to], leaving quiet gaps between. */
export function makeBursts(rng: Rng, from: number, to: number, span: number): Burst[] {
  const n = Math.max(2, Math.round(span / (6 * 3_600_000)));
  const out: Burst[] = [];
  for (let i = 0; i < n; i++) {
    out.push({ center: rng.range(from, to), width: Math.min(span, rng.range(0.5, 3) * 3_600_000) });
  }
  return out;
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
