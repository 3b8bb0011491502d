// The overview's and the usage page's ranges through app.request(): ?range= sets the span of the
// KPI cards, activity chart, top tools and latest errors (page and JSON twin alike), and a range
// that is empty while older data exists says when the last activity was and links the
// narrowest range that holds it.

import assert from "node:assert/strict";
import { json, openTestApp, text } from "./support/app.ts";

type Json = Record<string, unknown>;
type Rows = Json[];

const dayMs = 86_400_000;

Deno.test("?range= on /api/overview sets the span of the KPIs, the activity chart, top tools and errors", async () => {
  await using t = await openTestApp();
  const all = await json(await t.get("/api/overview?range=all"));
  assert.equal(all.range, "all");
  assert.equal(all.since, null);
  const events = (all.kpis as Json).events as number;
  assert.ok(events > 0);
  for (const r of ["24h", "7d", "30d"]) {
    const o = await json(await t.get(`/api/overview?range=${r}`));
    assert.equal(o.range, r);
    assert.equal((o.kpis as Json).events, events, `${r} holds the last hour`);
    const activity = o.activity as Json;
    assert.equal(activity.range, r, "the chart follows the range");
    assert.equal(Date.parse(o.since as string), activity.since);
    assert.ok((o.top_tools as Rows).length > 0);
    assert.equal(o.hint, null);
  }
  const week = (await json(await t.get("/api/overview?range=7d"))).activity as Json;
  assert.equal(week.bucket_ms, 3600_000, "a week is drawn by the hour");
  const month = (await json(await t.get("/api/overview?range=30d"))).activity as Json;
  assert.equal(month.bucket_ms, dayMs, "a month is drawn by the day");
  const zoom = (await json(await t.get("/api/overview?range=30d&activity=1h"))).activity as Json;
  assert.equal(zoom.range, "1h", "?activity= zooms the chart within the range");
  const bad = await json(await t.get("/api/overview?range=1y"), 400);
  assert.match(bad.error as string, /range must be one of today, 24h, 7d, 30d, all/);
});

Deno.test("an overview whose data is 40 days old shows zeros and a hint offering all of history", async () => {
  await using t = await openTestApp({ seedNow: Date.now() - 40 * dayMs });
  const today = await json(await t.get("/api/overview"));
  assert.equal(today.range, "today");
  assert.equal((today.kpis as Json).events, 0);
  assert.deepEqual(today.top_tools, []);
  const hint = today.hint as Json;
  assert.equal(hint.range, "all");
  assert.equal(hint.href, "/?range=all");
  assert.equal(hint.label, "Show all");
  assert.match(hint.text as string, /^\d{4}-\d\d-\d\d \d\d:\d\d UTC — 40 days ago$/);

  const page = await text(await t.get("/", "text/html"));
  assert.match(page, /id="range-hint"/);
  assert.match(page, /Last activity <time[^>]*>[^<]*40 days ago<\/time>/);
  assert.match(page, /<a href="\/\?range=all" data-range="all">Show all<\/a>/);

  const all = await json(await t.get("/api/overview?range=all"));
  assert.ok(((all.kpis as Json).events as number) > 0);
  assert.ok(((all.kpis as Json).tokens as number) > 0);
  assert.ok((all.top_tools as Rows).length > 0);
  assert.equal(all.hint, null);
  const allPage = await text(await t.get("/?range=all", "text/html"));
  assert.doesNotMatch(allPage, /id="range-hint"/);
  assert.match(allPage, /<a href="\/\?range=all" data-range="all" aria-current="true">/);

  // The islands poll their panel's URL with the same range.
  const kpis = await json(await t.get("/api/overview/kpis?range=all"));
  assert.equal(kpis.events, (all.kpis as Json).events);
  assert.equal((await json(await t.get("/api/overview/kpis?range=today"))).events, 0);
  assert.deepEqual(await json(await t.get("/api/overview/tools?range=all")), all.top_tools);
  assert.deepEqual(await json(await t.get("/api/overview/tools")), []);
  const errors = await json<Rows>(await t.get("/api/overview/errors?range=all"));
  assert.ok(errors.some((e) => e.kind === "tool_failure"));
  const recentErrors = await json<Rows>(await t.get("/api/overview/errors?range=7d"));
  assert.ok(!recentErrors.some((e) => e.kind === "tool_failure"), "a 40-day-old failure is out");
  const activity = await json(await t.get("/api/overview/activity?range=all"));
  const series = (activity.result as Json).series as Array<{ points: [string, number][] }>;
  assert.ok(series.flatMap((s) => s.points).some(([, v]) => v > 0));
});

Deno.test("data 20 days old is offered as the last 30 days", async () => {
  await using t = await openTestApp({ seedNow: Date.now() - 20 * dayMs });
  const hint = (await json(await t.get("/api/overview?range=7d"))).hint as Json;
  assert.equal(hint.range, "30d");
  assert.equal(hint.label, "Show the last 30 days");
  assert.equal(hint.href, "/?range=30d");
  const offered = await json(await t.get(`/api/overview?range=${hint.range}`));
  assert.ok(((offered.kpis as Json).events as number) > 0);
});

Deno.test("/usage with no usage in its range links a range that holds the last usage", async () => {
  await using t = await openTestApp({ seedNow: Date.now() - 40 * dayMs });
  const w = await json(await t.get("/api/usage/windows"));
  assert.equal(w.range, "30d");
  assert.deepEqual(w.days, []);
  const hint = w.hint as Json;
  assert.equal(hint.range, "all");
  assert.equal(hint.href, "/usage?range=all");
  const page = await text(await t.get("/usage", "text/html"));
  assert.match(page, /id="usage-hint"/);
  assert.match(page, /No usage in this range\. Last usage/);
  assert.match(page, /<a href="\/usage\?range=all" data-range="all">Show all<\/a>/);

  const all = await json(await t.get("/api/usage/windows?range=all"));
  assert.equal(all.hint, null);
  assert.ok((all.days as Rows).length > 0);
  const allPage = await text(await t.get("/usage?range=all", "text/html"));
  assert.doesNotMatch(allPage, /id="usage-hint"/);
  assert.match(allPage, /Input and output tokens/);
  assert.match(allPage, /Cache tokens/);
  assert.match(allPage, /aria-label="USD: /, "a cost chart");
});
