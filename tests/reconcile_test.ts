// The reconcile scan (the safety net under Deno.watchFs) at scale: a directory whose mtime and
// inode did not change is not read again, and a listing taken in the same clock tick as a
// change is taken again, so a file the watcher never reported is still found.

import assert from "node:assert/strict";
import { join } from "node:path";
import { SourceLister } from "../src/ingest/sources.ts";
import { Ingester } from "../src/ingest/ingester.ts";
import { openDb } from "../src/store/db.ts";
import { makeRoots, refreshRoots } from "../src/ingest/root_set.ts";
import { FileCursors } from "../src/ingest/cursors.ts";
import { listRoots } from "../src/ingest/reconcile.ts";
import { DirtyFiles } from "../src/ingest/dirty_files.ts";
import { nameAt, nameCount } from "../src/ingest/packed_names.ts";
import { makeHome, writeHook } from "./support/home.ts";
import { count, waitFor } from "./support/wait.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

async function mtimeOf(path: string): Promise<Date> {
  return (await Deno.stat(path)).mtime!;
}

Deno.test("an unchanged directory is not listed again, and hook files already read are not kept", async () => {
  const h = await makeHome();
  try {
    const raw = join(h.claudeDir, "hooks/logs/raw_json");
    for (let i = 0; i < 50; i++) await Deno.writeTextFile(join(raw, `${i}_Stop_s.json`), "{}");
    // Last changed well before the listing: the listing is complete for this mtime.
    const old = new Date(Date.now() - 60_000);
    for (const d of [raw, join(h.claudeDir, "hooks"), join(h.claudeDir, "projects")]) {
      await Deno.utime(d, old, old);
    }
    const lister = new SourceLister(h.claudeDir);
    const read = new Set<string>();
    assert.equal((await lister.list((rel) => read.has(rel))).length, 50);
    const readDirs = lister.dirsRead;
    assert.equal(readDirs, 3);
    for (let i = 0; i < 40; i++) read.add(`hooks/logs/raw_json/${i}_Stop_s.json`);
    for (let scan = 0; scan < 3; scan++) {
      const listed = await lister.list((rel) => read.has(rel));
      assert.equal(listed.length, 10, "only the hook files not read yet");
      assert.equal(lister.hookFiles, 50, "all of them counted");
    }
    assert.equal(lister.dirsRead, readDirs, "no directory read again");
    assert.equal(lister.unsettled, false, "no listing to take again soon");
    // A new entry changes the mtime: read again (once the listing's reuse budget, 0.05 ms an
    // entry, has passed).
    await new Promise((r) => setTimeout(r, 20));
    await Deno.writeTextFile(join(raw, "new_Stop_s.json"), "{}");
    assert.equal((await lister.list((rel) => read.has(rel))).length, 11);
    assert.equal(lister.dirsRead, readDirs + 1);
  } finally {
    await h.cleanup();
  }
});

Deno.test("a lister given another's listings (the backfill worker's) reads no unchanged folder again, and reads one that changed", async () => {
  const h = await makeHome();
  try {
    const raw = join(h.claudeDir, "hooks/logs/raw_json");
    for (let i = 0; i < 50; i++) await Deno.writeTextFile(join(raw, `${i}_Stop_s.json`), "{}");
    await Deno.mkdir(join(h.claudeDir, "projects/p"), { recursive: true });
    await Deno.writeTextFile(join(h.claudeDir, "projects/p/s.jsonl"), "{}\n");
    const old = new Date(Date.now() - 60_000);
    for (const d of ["hooks/logs/raw_json", "hooks", "projects/p", "projects"]) {
      await Deno.utime(join(h.claudeDir, d), old, old);
    }
    const worker = new SourceLister(h.claudeDir, { blocking: true });
    const read = new Set<string>();
    assert.equal((await worker.list((rel) => read.has(rel))).length, 51);
    for (let i = 0; i < 40; i++) read.add(`hooks/logs/raw_json/${i}_Stop_s.json`);
    // Handed over as between threads: a structured clone, hook files read by then left out.
    const handed = structuredClone(worker.listings((rel) => read.has(rel)));
    const rawListing = handed.find((l) => l.relDir === "hooks/logs/raw_json");
    assert.equal(nameCount(rawListing!.listing.hooks), 10, "hook files not read yet, packed");
    const main = new SourceLister(h.claudeDir);
    main.adopt(handed);
    const listed = await main.list((rel) => read.has(rel));
    assert.deepEqual(
      listed.map((f) => f.rel).sort(),
      [
        ...Array.from({ length: 10 }, (_, i) => `hooks/logs/raw_json/${40 + i}_Stop_s.json`),
        "projects/p/s.jsonl",
      ]
        .sort(),
    );
    assert.equal(main.hookFiles, 50);
    assert.equal(main.dirsRead, 0, "no folder read again");
    // A file written after the worker's listing changes the folder's mtime: read again (once
    // the listing's reuse budget, 0.05 ms an entry, has passed).
    await new Promise((r) => setTimeout(r, 20));
    await Deno.writeTextFile(join(raw, "new_Stop_s.json"), "{}");
    assert.equal((await main.list((rel) => read.has(rel))).length, 12);
    assert.equal(main.dirsRead, 1);
  } finally {
    await h.cleanup();
  }
});

Deno.test("a file added in the same mtime tick as the last listing is found by the next one", async () => {
  const h = await makeHome();
  try {
    const raw = join(h.claudeDir, "hooks/logs/raw_json");
    await Deno.writeTextFile(join(raw, "a_Stop_s.json"), "{}");
    const lister = new SourceLister(h.claudeDir);
    assert.deepEqual((await lister.list()).map((f) => f.rel), [
      "hooks/logs/raw_json/a_Stop_s.json",
    ]);
    assert.equal(lister.unsettled, true, "listed in the same second as a change: again soon");
    // B lands in the same tick: the directory's mtime stays what the listing saw.
    const tick = await mtimeOf(raw);
    await Deno.writeTextFile(join(raw, "b_Stop_s.json"), "{}");
    await Deno.utime(raw, tick, tick);
    assert.equal((await mtimeOf(raw)).getTime(), tick.getTime());
    await new Promise((r) => setTimeout(r, 5)); // past the listing's reuse budget (0.05 ms an entry)
    const names = (await lister.list()).map((f) => f.rel).sort();
    assert.deepEqual(names, [
      "hooks/logs/raw_json/a_Stop_s.json",
      "hooks/logs/raw_json/b_Stop_s.json",
    ]);
  } finally {
    await h.cleanup();
  }
});

Deno.test(
  "a hook file the watcher never reported, written in the same second as the previous listing, is stored by the reconcile scan",
  opts,
  async () => {
    const h = await makeHome();
    const db = openDb(h.dbPath);
    const ingester = new Ingester({ claudeDir: h.claudeDir, db, watch: false });
    ingester.start();
    try {
      await ingester.ready;
      const raw = join(h.claudeDir, "hooks/logs/raw_json");
      await writeHook(h.claudeDir, { hook_event_name: "Stop", session_id: "s1" });
      await ingester.rescan();
      assert.equal(count(db, "SELECT count(*) AS n FROM events"), 1);
      const tick = await mtimeOf(raw);
      await writeHook(h.claudeDir, { hook_event_name: "Stop", session_id: "s2" });
      await Deno.utime(raw, tick, tick); // as on a file system with 1 s timestamps
      await ingester.rescan();
      await waitFor(() => count(db, "SELECT count(*) AS n FROM events") === 2, 3000, "second hook");
      // Nothing is read twice.
      await ingester.rescan();
      assert.equal(count(db, "SELECT count(*) AS n FROM events"), 2);
      assert.equal(count(db, "SELECT count(*) AS n FROM files WHERE kind = 'hook'"), 2);
    } finally {
      await ingester.stop();
      db.close();
      await h.cleanup();
    }
  },
);

Deno.test(
  "after a restart, hook files read before are not read again and new ones are",
  opts,
  async () => {
    const h = await makeHome();
    try {
      for (let i = 0; i < 20; i++) {
        await writeHook(h.claudeDir, { hook_event_name: "Stop", session_id: `s${i}` });
      }
      for (let run = 0; run < 2; run++) {
        if (run === 1) {
          await writeHook(h.claudeDir, {
            hook_event_name: "Stop",
            session_id: "late",
          });
        }
        const db = openDb(h.dbPath);
        const ingester = new Ingester({ claudeDir: h.claudeDir, db, watch: false });
        ingester.start();
        try {
          await ingester.ready;
          assert.equal(ingester.stats.hookFiles, 20 + run);
          assert.equal(count(db, "SELECT count(*) AS n FROM events"), 20 + run);
          assert.equal(ingester.stats.eventsStored, run === 0 ? 20 : 1, "read once");
        } finally {
          await ingester.stop();
          db.close();
        }
      }
    } finally {
      await h.cleanup();
    }
  },
);

Deno.test("a root's transcript count on /health never drops to 0 while the next listing runs", async () => {
  const h = await makeHome();
  const db = openDb(":memory:");
  try {
    await Deno.mkdir(join(h.claudeDir, "projects/-p"), { recursive: true });
    await Deno.writeTextFile(join(h.claudeDir, "projects/-p/s1.jsonl"), "{}\n");
    const roots = makeRoots(h.claudeDir, [], () => null);
    await refreshRoots(roots);
    const files = new FileCursors(db);
    await listRoots(roots, files, new DirtyFiles());
    assert.equal(roots[0].status.transcripts, 1);
    // What a /health request sees while the next listing waits on the file system.
    const next = listRoots(roots, files, new DirtyFiles());
    assert.equal(roots[0].status.transcripts, 1);
    await next;
    assert.equal(roots[0].status.transcripts, 1);
  } finally {
    db.close();
    await h.cleanup();
  }
});

Deno.test("a lister forgets the hook files read since its listing, and keeps the others", async () => {
  const h = await makeHome();
  try {
    const raw = join(h.claudeDir, "hooks/logs/raw_json");
    for (let i = 0; i < 50; i++) await Deno.writeTextFile(join(raw, `${i}_Stop_s.json`), "{}");
    const lister = new SourceLister(h.claudeDir);
    assert.equal(nameCount((await lister.scan()).hooks), 50);
    const read = (rel: string) => /\/[0-3]?\d_/.test(rel); // 0 to 39
    lister.forgetRead(read);
    const kept = lister.listings(() => false).find((l) => l.relDir === "hooks/logs/raw_json");
    assert.deepEqual(
      Array.from(
        { length: nameCount(kept!.listing.hooks) },
        (_, i) => nameAt(kept!.listing.hooks, i),
      ),
      Array.from({ length: 10 }, (_, i) => `${40 + i}_Stop_s.json`),
    );
  } finally {
    await h.cleanup();
  }
});
