// Full-text search: the query language (words, "phrases", prefix*) and its safety (no input
// gives a 500), and, on 40,000 generated events with a few planted ones, that a command
// present once is found first, an exact phrase outranks the same words scattered, filters
// and paging are exact, snippets mark the hits and never show a secret (on a server spawned
// under the start task's flags).

import assert from "node:assert/strict";
import { join } from "node:path";
import { parseSearch } from "../src/store/read/search_query.ts";
import { searchEvents, type SearchResult } from "../src/store/read/search.ts";
import { BadRequest } from "../src/core/errors.ts";
import { generate } from "../src/demo/workload.ts";
import { makeHome } from "./support/home.ts";
import { type Served, serveReady } from "./support/served.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test("parseSearch turns words, phrases and prefixes into quoted FTS5 terms", () => {
  assert.deepEqual(parseSearch("git push"), {
    match: '"git" "push"',
    phrase: '"git push"',
  });
  assert.deepEqual(parseSearch('"git push" origin'), {
    match: '"git push" "origin"',
    phrase: null,
  });
  assert.deepEqual(parseSearch("deplo*"), { match: '"deplo"*', phrase: null });
  assert.deepEqual(parseSearch('"src/ma"*'), { match: '"src/ma"*', phrase: null });
  // FTS5 operators and column filters are plain text here.
  assert.deepEqual(parseSearch("AND OR"), { match: '"AND" "OR"', phrase: '"AND OR"' });
  assert.equal(parseSearch("NEAR(a b)").match, '"NEAR(a" "b)"');
  assert.equal(parseSearch("text:secret").match, '"text:secret"');
  assert.equal(parseSearch("a* -- b").match, '"a"* "b"', "a term without letters is dropped");
  for (const bad of ["", "   ", '"', 'say "hi', "*", "--", "**", '""', "(", "\u0000"]) {
    assert.throws(() => parseSearch(bad), BadRequest, JSON.stringify(bad));
  }
  assert.throws(() => parseSearch("x".repeat(501)), /too long/);
  assert.throws(() => parseSearch(Array(40).fill("w").join(" ")), /too many terms/);
});

interface Page {
  results: SearchResult[];
  next_cursor: string | null;
}

async function search(d: Served, query: string): Promise<Page> {
  const res = await fetch(`${d.url}/api/search?${query}`);
  const body = await res.json();
  assert.equal(res.status, 200, `${query}: ${JSON.stringify(body)}`);
  return body as Page;
}

/** The searchable text of an event, lower-cased into its words (as the index splits them). */
function words(d: Served, id: number): string[] {
  const r = d.db.prepare("SELECT text FROM events_search_text WHERE id = ?").get(id) as {
    text: string | null;
  };
  return (r.text ?? "").toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

function hasPhrase(ws: string[], phrase: string[]): boolean {
  for (let i = 0; i + phrase.length <= ws.length; i++) {
    if (phrase.every((p, j) => ws[i + j] === p)) return true;
  }
  return false;
}

const hook = (name: string, payload: Record<string, unknown>) => ({ name, payload });

Deno.test(
  "search over 40,000 generated events: once-only command first, exact phrase first, filters, paging, snippets, secrets, bad queries",
  opts,
  async (t) => {
    const h = await makeHome();
    const t0 = performance.now();
    await generate({ dir: h.claudeDir, events: 40_000, seed: 77 });
    const sid = "planted-session";
    const planted = [
      hook("20261101_000001_000000_PreToolUse", {
        session_id: sid,
        hook_event_name: "PreToolUse",
        cwd: "/home/dev/planted-proj",
        tool_name: "Bash",
        tool_use_id: "toolu_planted_1",
        tool_input: { command: "kubectl rollout restart deployment/zq-frobnicator-7" },
      }),
      // The exact phrase once, in an old event …
      hook("20260101_000001_000000_UserPromptSubmit", {
        session_id: sid,
        hook_event_name: "UserPromptSubmit",
        cwd: "/home/dev/planted-proj",
        prompt: "please reticulate quokka splines before lunch",
      }),
      hook("20261101_000002_000000_PreToolUse", {
        session_id: sid,
        hook_event_name: "PreToolUse",
        cwd: "/home/dev/planted-proj",
        tool_name: "Bash",
        tool_use_id: "toolu_planted_2",
        tool_input: {
          command: "export GITHUB_TOKEN=ghp_PLANTEDSECRET0123456789abcdefXYZ && gh release list",
        },
      }),
    ];
    // … and the same words scattered in many newer ones.
    for (let i = 0; i < 40; i++) {
      planted.push(hook(`20261102_0000${String(i).padStart(2, "0")}_000000_UserPromptSubmit`, {
        session_id: sid,
        hook_event_name: "UserPromptSubmit",
        cwd: "/home/dev/planted-proj",
        prompt: `splines notes ${i}: the quokka may reticulate later`,
      }));
    }
    for (const p of planted) {
      await Deno.writeTextFile(
        join(h.claudeDir, `hooks/logs/raw_json/${p.name}_${sid}.json`),
        JSON.stringify(p.payload),
      );
    }
    const generated = performance.now();
    const d = await serveReady(h);
    const events = (d.db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
    console.log(
      `${events} events: generated in ${((generated - t0) / 1000).toFixed(1)} s, ingested in ${
        ((performance.now() - generated) / 1000).toFixed(1)
      } s`,
    );
    try {
      await t.step("a command that occurs once is found, and only it", async () => {
        for (
          const q of [
            "zq-frobnicator-7",
            '"rollout restart deployment/zq-frobnicator-7"',
            "frobnicat*",
            "kubectl frobnicator",
          ]
        ) {
          const page = await search(d, `q=${encodeURIComponent(q)}`);
          assert.equal(page.results.length, 1, q);
          assert.equal(page.results[0].session_id, sid, q);
          assert.equal(page.results[0].type, "PreToolUse", q);
          assert.ok(highlighted(page.results[0].snippet).some((h) => /frobnicator/i.test(h)), q);
        }
      });

      await t.step("an exact phrase ranks before the same words scattered", async () => {
        const phrase = ["reticulate", "quokka", "splines"];
        // The phrase once, in the oldest event; the words scattered in 40 newer ones.
        const page = await search(d, "q=reticulate%20quokka%20splines&limit=50");
        assert.equal(page.results.length, 41);
        assert.equal(page.results[0].summary, "please reticulate quokka splines before lunch");
        assert.ok(page.results.slice(1).every((r) => !hasPhrase(words(d, r.id), phrase)));
        // The same rule over generated text: no phrase hit after a scattered one.
        const common = ["deploy", "cache", "handler"];
        const many = await search(d, "q=deploy%20cache%20handler&limit=200");
        assert.equal(many.results.length, 200);
        const flags = many.results.map((r) => hasPhrase(words(d, r.id), common));
        const firstScattered = flags.indexOf(false);
        assert.ok(firstScattered >= 0 && flags.slice(firstScattered).every((f) => !f));
        for (const r of many.results) {
          const ws = words(d, r.id);
          assert.ok(common.every((p) => ws.includes(p)), "every result has all the words");
        }
        // Quoted: only the exact phrase.
        const quoted = await search(d, `q=${encodeURIComponent('"reticulate quokka splines"')}`);
        assert.deepEqual(quoted.results.map((r) => r.id), [page.results[0].id]);
      });

      await t.step(
        "filters keep exactly the matching events of the unfiltered search",
        async () => {
          // A word found in a few hundred events (fewer than the ranking window), so the
          // unfiltered pages hold every match.
          d.db.exec("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, events_fts, 'col')");
          // … seen in several event types and with a tool, so every filter has work to do.
          const candidates = (d.db.prepare(
            `SELECT term FROM temp.terms WHERE col = 'text' AND doc BETWEEN 300 AND 700
             AND term GLOB '[a-z][a-z][a-z]*' ORDER BY doc DESC, term LIMIT 200`,
          ).all() as Array<{ term: string }>).map((r) => r.term);
          const term = candidates.find((c) => {
            const rows = searchEvents(d.db, c, {}, 1000).results;
            return new Set(rows.map((r) => r.type)).size >= 3 && rows.some((r) => r.tool_name);
          })!;
          assert.ok(term, "a word seen in several event types");
          const q = `q=${term}&limit=200`;
          const all: SearchResult[] = [];
          let cursor: string | null = null;
          do {
            const page: Page = await search(d, `${q}${cursor ? `&cursor=${cursor}` : ""}`);
            all.push(...page.results);
            cursor = page.next_cursor;
          } while (cursor);
          assert.equal(new Set(all.map((r) => r.id)).size, all.length, "pages never repeat a row");
          assert.ok(all.length >= 300 && all.length <= 700, `${term}: ${all.length} matches`);
          assert.equal(searchEvents(d.db, term, {}, 200).results.length, 200);
          const sample = all[Math.floor(all.length / 3)];
          const project = (d.db.prepare("SELECT project FROM sessions WHERE session_id = ?").get(
            sample.session_id,
          ) as { project: string }).project;
          const mid = all.map((r) => r.ts).sort()[Math.floor(all.length / 2)];
          const otherType = all.find((r) => r.type !== sample.type)!.type;
          const tool = all.find((r) => r.tool_name !== null)!.tool_name!;
          const filters: Array<[string, (r: SearchResult) => boolean]> = [
            [`session=${sample.session_id}`, (r) => r.session_id === sample.session_id],
            [`type=${sample.type}`, (r) => r.type === sample.type],
            [`type=${otherType}`, (r) => r.type === otherType],
            [`tool=${tool}`, (r) => r.tool_name === tool],
            [`since=${mid}`, (r) => r.ts >= mid],
            [`until=${mid}`, (r) => r.ts < mid],
            [
              `project=${encodeURIComponent(project)}&type=${sample.type}`,
              (r) => r.type === sample.type && sessionProject(d, r.session_id) === project,
            ],
          ];
          for (const [f, keep] of filters) {
            const got: SearchResult[] = [];
            let c: string | null = null;
            do {
              const page: Page = await search(d, `${q}&${f}${c ? `&cursor=${c}` : ""}`);
              got.push(...page.results);
              c = page.next_cursor;
            } while (c);
            const want = all.filter(keep).map((r) => r.id).sort((a, b) => a - b);
            assert.ok(want.length > 0, `${f} keeps something`);
            assert.deepEqual(got.map((r) => r.id).sort((a, b) => a - b), want, f);
            // Each way of applying session/project/time filters gives the same rows.
            const p = new URLSearchParams(f);
            const filters = {
              session: p.get("session") ?? undefined,
              type: p.get("type") ?? undefined,
              tool: p.get("tool") ?? undefined,
              project: p.get("project") ?? undefined,
              since: p.has("since") ? Date.parse(p.get("since")!) : undefined,
              until: p.has("until") ? Date.parse(p.get("until")!) : undefined,
            };
            for (const plan of ["probe", "set", "scan"] as const) {
              const rows = searchEvents(d.db, term, filters, 1000, null, plan).results;
              assert.deepEqual(rows.map((r) => r.id).sort((a, b) => a - b), want, `${f} ${plan}`);
            }
          }
        },
      );

      await t.step("pages follow the ranking without gaps or repeats", async () => {
        const one = await search(d, "q=the&limit=200");
        const ids: number[] = [];
        let cursor: string | null = null;
        for (let i = 0; i < 4; i++) {
          const page: Page = await search(d, `q=the&limit=50${cursor ? `&cursor=${cursor}` : ""}`);
          ids.push(...page.results.map((r) => r.id));
          cursor = page.next_cursor;
        }
        assert.deepEqual(ids, one.results.map((r) => r.id));
        for (let i = 1; i < one.results.length; i++) {
          assert.ok(one.results[i - 1].rank <= one.results[i].rank, "ordered by bm25");
        }
      });

      await t.step("snippets mark hits with U+0002…U+0003 and never show a secret", async () => {
        const page = await search(d, "q=GITHUB_TOKEN");
        assert.equal(page.results.length, 1);
        const { snippet, summary } = page.results[0];
        assert.ok(!snippet.includes("PLANTEDSECRET"), snippet);
        assert.ok(!summary.includes("PLANTEDSECRET"), summary);
        assert.match(snippet, /masked/);
        const byValue = await search(d, "q=ghp_PLANTEDSECRET0123456789abcdefXYZ");
        for (const r of byValue.results) {
          assert.ok(!JSON.stringify(r).includes("PLANTEDSECRET"), "found, but shown masked");
        }
        const hit = (await search(d, "q=kubectl")).results[0].snippet;
        const marks = [...hit].filter((c) => c === "\u0002" || c === "\u0003").join("");
        assert.ok(marks.length >= 2 && marks === "\u0002\u0003".repeat(marks.length / 2));
      });

      await t.step(
        "any query string gets results or a 400 with a reason, never a 500",
        async () => {
          const inputs = [
            '"',
            'say "hi',
            "AND OR",
            "AND",
            "*",
            "**",
            '"',
            "NEAR(",
            "NEAR(a b, 2)",
            "x:",
            "text:cache",
            "kind:Bash",
            "^cache",
            "(cache",
            "cache)",
            "-cache",
            "cache NOT deploy",
            "c*a*c*h*e",
            "'",
            "\\",
            "%",
            "\u0002\u0003",
            "😀 emoji",
            "日本語",
            "a".repeat(500),
            "a".repeat(501),
            Array(33).fill("w").join(" "),
            "",
            "{text kind}: cache",
            "cache AND",
            '""""',
            "\u0000",
          ];
          for (const q of inputs) {
            const res = await fetch(`${d.url}/api/search?q=${encodeURIComponent(q)}`);
            const body = await res.json();
            assert.ok(
              res.status === 200 || res.status === 400,
              `${JSON.stringify(q)}: ${res.status}`,
            );
            if (res.status === 400) assert.equal(typeof body.error, "string");
            else assert.ok(Array.isArray(body.results));
          }
          for (const c of ["abc", "-1", "99999999999", "1.5"]) {
            const res = await fetch(`${d.url}/api/search?q=cache&cursor=${c}`);
            assert.equal(res.status, 400, `cursor ${c}`);
            await res.body?.cancel();
          }
        },
      );
    } finally {
      await d.stop();
      await h.cleanup();
    }
  },
);

function sessionProject(d: Served, sid: string): string | null {
  const r = d.db.prepare("SELECT project FROM sessions WHERE session_id = ?").get(sid) as
    | { project: string | null }
    | undefined;
  return r?.project ?? null;
}

/** The highlighted parts of a snippet (between U+0002 and U+0003). */
function highlighted(snippet: string): string[] {
  return snippet.split("\u0002").slice(1).map((part) => part.split("\u0003")[0]);
}
