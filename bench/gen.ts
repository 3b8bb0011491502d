// The workload generator's command line (the generator lives in src/demo/, shared with the
// `claude-dash demo` command):
//
//   deno run -A bench/gen.ts --dir /tmp/x --events 10000 --seed 1
//   deno run -A bench/gen.ts --dir /tmp/x --live --rate 100 --seconds 10

import { genCli } from "../src/demo/gen_cli.ts";

if (import.meta.main) await genCli(Deno.args);
