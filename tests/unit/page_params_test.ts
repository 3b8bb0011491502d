// The pages' query-string state, parsed once so a page and its /api twin read the same
// parameters: time ranges, sessions list sorting and paging, the events explorer's filters.

import assert from "node:assert/strict";
import {
  eventsPageRows,
  eventsView,
  rangePresets,
  sessionsPageRows,
  sessionsView,
  timeRange,
} from "../../src/web/page_params.ts";
import { BadRequest } from "../../src/core/errors.ts";

const query = (params: Record<string, string>) => (name: string) => params[name];
const now = Date.UTC(2025, 7, 12, 12, 0, 0);

Deno.test("a range preset means that long back from now", () => {
  assert.deepEqual(timeRange(query({ range: "1h" }), now), { range: "1h", since: now - 3600_000 });
  assert.deepEqual(timeRange(query({ range: "7d" }), now), {
    range: "7d",
    since: now - rangePresets["7d"],
  });
});

Deno.test("explicit since or until make the range custom and win over a preset", () => {
  assert.deepEqual(timeRange(query({ range: "1h", since: "1000" }), now), {
    range: "custom",
    since: 1000,
    until: undefined,
  });
});

Deno.test("no range means everything, or the page's own default", () => {
  assert.deepEqual(timeRange(query({}), now), { range: "all" });
  assert.deepEqual(timeRange(query({}), now, "24h"), { range: "24h", since: now - 86_400_000 });
  assert.deepEqual(timeRange(query({ range: "all" }), now, "24h"), { range: "all" });
});

Deno.test("an unknown range preset is a BadRequest listing the presets", () => {
  assert.throws(
    () => timeRange(query({ range: "2w" }), now),
    new BadRequest('range must be one of 15m, 1h, 6h, 24h, 7d, 30d, all; got "2w"'),
  );
  assert.throws(() => timeRange(query({ range: "constructor" }), now), BadRequest);
});

Deno.test("the sessions list sorts by last activity, newest first, a page at a time by default", () => {
  const v = sessionsView(query({}), now, 200);
  assert.equal(v.sort, "last");
  assert.equal(v.dir, "desc");
  assert.equal(v.limit, sessionsPageRows);
  assert.equal(v.offset, 0);
  assert.deepEqual(v.time, { range: "all" });
});

Deno.test("sorting by project is ascending unless the URL says otherwise", () => {
  assert.equal(sessionsView(query({ sort: "project" }), now, 200).dir, "asc");
  assert.equal(sessionsView(query({ sort: "project", dir: "desc" }), now, 200).dir, "desc");
});

Deno.test("a bad sort, direction, status or limit in the sessions URL is a BadRequest", () => {
  assert.throws(() => sessionsView(query({ sort: "nope" }), now, 200), /sort must be one of/);
  assert.throws(() => sessionsView(query({ dir: "up" }), now, 200), /dir must be asc or desc/);
  assert.throws(() => sessionsView(query({ status: "zzz" }), now, 200), /status must be one of/);
  assert.throws(() => sessionsView(query({ limit: "201" }), now, 200), /between 1 and 200/);
});

Deno.test("the events explorer keeps filters, the search text trimmed, and the time bounds", () => {
  const v = eventsView(
    query({ session: "s-1", tool: "Bash", q: "  git push ", range: "1h", cursor: "c1" }),
    now,
    200,
  );
  assert.deepEqual(v.filters, { session: "s-1", tool: "Bash", since: now - 3600_000 });
  assert.equal(v.q, "git push");
  assert.equal(v.cursor, "c1");
  assert.equal(v.limit, eventsPageRows);
  assert.equal(eventsView(query({ q: "   " }), now, 200).q, undefined, "blank search is none");
});
