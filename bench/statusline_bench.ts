// Cost of one `claude-dash statusline` call as Claude Code pays it: a fresh `deno run` under the
// statusline task's own flags, the recorded payload (with rate_limits) on stdin, wall time until
// the line is printed and the process has exited. Prints p50/p95 (target p95 < 50 ms). Most calls
// store nothing (thinning); the first stores a sample and every call with a new cost updates the
// state file, as in real use.
//
//   deno run --allow-all bench/statusline_bench.ts [calls]

import { join } from "node:path";
import { denoDir, root, taskMainArgs, taskRunFlags } from "../tests/support/tasks.ts";

const calls = Number(Deno.args[0] ?? 60);
const home = await Deno.makeTempDir({ prefix: "claude-dash-statusline-bench-" });
const payload = JSON.parse(
  await Deno.readTextFile(join(root, "tests/fixtures/claude-code-2.1/statusline/api-key.json")),
);
const now = Date.now();
payload.rate_limits = {
  five_hour: { used_percentage: 23, resets_at: Math.floor(now / 1000) + 7200 },
  seven_day: { used_percentage: 41, resets_at: Math.floor(now / 1000) + 86400 },
};
const flags = await taskRunFlags("statusline", home);
const args = ["run", ...flags, join(root, "main.ts"), ...(await taskMainArgs("statusline"))];
const env = { HOME: home, DENO_DIR: await denoDir() };

async function once(i: number): Promise<number> {
  payload.cost.total_cost_usd = 0.01 * i;
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    env,
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(payload)));
  await w.close();
  const out = await child.output();
  const ms = performance.now() - t0;
  if (out.code !== 0 || out.stdout.length === 0) throw new Error("statusline failed");
  return ms;
}

try {
  await once(0); // warm the module cache
  const times: number[] = [];
  for (let i = 1; i <= calls; i++) times.push(await once(i));
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  console.log(
    `statusline: ${calls} calls, p50 ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms ` +
      `(fresh deno run under the task's flags; target p95 < 50 ms)`,
  );
} finally {
  await Deno.remove(home, { recursive: true });
}
