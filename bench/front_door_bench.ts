// What the front door (src/http/front.ts) costs per request: the same small handler served by
// Deno.serve directly and through the front door's proxy, N sequential GETs each, on one
// keep-alive connection and on a new connection per request. Prints requests per second and
// the p50/p95 latency of each.
//
//   deno run --allow-net=127.0.0.1 bench/front_door_bench.ts [requests]

import { FrontDoor } from "../src/http/front.ts";
import { percentiles } from "./stats.ts";

const requests = Number(Deno.args[0] ?? 2000);
const handler = () => new Response("ok ".repeat(100));

const get = new TextEncoder().encode(
  "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
);

/** One request on a connection of its own, read until the server closes it. */
async function fresh(port: number): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(get);
  const buf = new Uint8Array(4096);
  while ((await conn.read(buf)) !== null) {
    // until the server closes
  }
  conn.close();
}

async function run(port: number, newConn: boolean) {
  const times: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < requests; i++) {
    const s = performance.now();
    if (newConn) await fresh(port);
    else await (await fetch(`http://127.0.0.1:${port}/`)).arrayBuffer();
    times.push(performance.now() - s);
  }
  const total = performance.now() - t0;
  const { p50, p95 } = percentiles(times);
  return { rps: requests / (total / 1000), p50, p95 };
}

const direct = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
const front = new FrontDoor({ hostname: "127.0.0.1", port: 0 });
const frontPort = front.listen(handler).port;
const ports = { "Deno.serve": direct.addr.port, "front door": frontPort };
for (const newConn of [false, true]) {
  for (const [name, port] of Object.entries(ports)) {
    await run(port, newConn); // warm-up
    const r = await run(port, newConn);
    console.log(
      `${name.padEnd(10)} ${newConn ? "new connection each" : "keep-alive         "}  ${
        r.rps.toFixed(0).padStart(6)
      } req/s  p50 ${r.p50.toFixed(2)} ms  p95 ${r.p95.toFixed(2)} ms`,
    );
  }
}
await direct.shutdown();
await front.stop();
