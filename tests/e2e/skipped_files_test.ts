// Files in the source folders that claude-dash leaves alone without opening them (symbolic
// links, FIFOs, names that are not UTF-8) are counted by reason on /health, with a few example
// paths escaped, under the start task's exact flags (tests/support/served.ts).

import assert from "node:assert/strict";
import { join } from "node:path";
import { withServed } from "../support/served.ts";
import type { SkippedFiles } from "../../src/core/view_data.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

/** Runs a bash script: JS cannot name a file with bytes that are not UTF-8, nor make a FIFO. */
async function sh(script: string, cwd: string, env: Record<string, string> = {}): Promise<void> {
  const out = await new Deno.Command("bash", { args: ["-c", script], cwd, env, stderr: "piped" })
    .output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
}

const line = JSON.stringify({
  type: "user",
  sessionId: "good-1",
  uuid: "good-1-u",
  timestamp: "2025-08-01T00:00:00Z",
  message: { role: "user", content: "hello" },
}) + "\n";

Deno.test(
  "links, FIFOs and names that are not UTF-8 in the source folders are counted by reason on /health and /api/health, with escaped example paths, and nothing else is read",
  opts,
  async () => {
    await withServed(async (h) => {
      const p = join(h.claudeDir, "projects/-p");
      await Deno.mkdir(p, { recursive: true });
      await Deno.writeTextFile(join(p, "good-1.jsonl"), line);
      const decoy = join(h.home, "decoy");
      await Deno.mkdir(decoy);
      await Deno.writeTextFile(join(decoy, "d.jsonl"), line.replaceAll("good-1", "decoy-1"));
      await Deno.symlink(join(decoy, "d.jsonl"), join(p, "link.jsonl"));
      await Deno.symlink(join(decoy, "d.jsonl"), join(p, "new\nline.jsonl"));
      await Deno.symlink(decoy, join(h.claudeDir, "projects/-linked"));
      await sh("mkfifo fifo.jsonl notes.fifo && printf '%s' \"$LINE\" > $'bad\\xff.jsonl'", p, {
        LINE: line,
      });
      await sh(
        "touch $'20250101_000000_Notification_\\xff.json' && mkfifo 20250101_000000_Stop_f.json",
        join(h.claudeDir, "hooks/logs/raw_json"),
      );
    }, async (s) => {
      const health = await s.health();
      const ingest = health.ingest as { skipped: SkippedFiles[] };
      const by = Object.fromEntries(ingest.skipped.map((x) => [x.reason, x]));
      assert.deepEqual(Object.keys(by).sort(), ["non_utf8_name", "not_regular", "symlink"]);
      assert.equal(by.symlink.count, 3);
      assert.deepEqual(by.symlink.examples.sort(), [
        "projects/-linked",
        "projects/-p/link.jsonl",
        "projects/-p/new\\u000aline.jsonl",
      ]);
      // notes.fifo is no source name: a FIFO there is nothing claude-dash would have read.
      assert.equal(by.not_regular.count, 2);
      assert.deepEqual(by.not_regular.examples.sort(), [
        "hooks/logs/raw_json/20250101_000000_Stop_f.json",
        "projects/-p/fifo.jsonl",
      ]);
      assert.equal(by.non_utf8_name.count, 2);
      assert.deepEqual(by.non_utf8_name.examples.sort(), [
        "hooks/logs/raw_json/20250101_000000_Notification_\ufffd.json",
        "projects/-p/bad\ufffd.jsonl",
      ]);
      // Only the good transcript was read.
      const sessions = await (await fetch(`${s.url}/api/sessions`)).json();
      assert.deepEqual(
        (sessions.sessions as Array<{ session_id: string }>).map((x) => x.session_id),
        ["good-1"],
      );
      const page = await (await fetch(`${s.url}/health`, { headers: { Accept: "text/html" } }))
        .text();
      assert.match(page, /Files left alone \(7\)/);
      assert.match(page, /<tr data-reason="not_regular"><td>[^<]+<\/td><td class="num">2</);
      assert.match(page, /projects\/-p\/new\\u000aline\.jsonl/);
    });
  },
);
