// A bad query parameter on a page a browser asked for is a 400 page in the layout (the reason
// and a link back), not raw JSON; /api/* and machines asking for JSON keep the JSON 400.

import assert from "node:assert/strict";
import { openTestApp, type TestApp } from "./support/app.ts";

const t: TestApp = await openTestApp();
Deno.test.afterAll(async () => await t[Symbol.asyncDispose]());

Deno.test("a bad query parameter on an HTML page is a 400 page with the reason and a link back", async () => {
  const cases: Array<[string, RegExp, string]> = [
    ["/sessions?limit=abc", /limit must be a whole number, got &quot;abc&quot;/, "/sessions"],
    ["/events?range=1y", /range must be one of .*got &quot;1y&quot;/, "/events"],
  ];
  for (const [path, reason, back] of cases) {
    const res = await t.get(path, "text/html,application/xhtml+xml");
    assert.equal(res.status, 400, path);
    assert.match(res.headers.get("Content-Type") ?? "", /^text\/html/, path);
    const body = await res.text();
    assert.match(body, /^<!DOCTYPE html>/i, "the whole layout");
    assert.match(body, /<nav/, "with the navigation");
    assert.match(body, /id="bad-request-message">[^<]*/);
    assert.match(body, reason, path);
    assert.ok(body.includes(`<a href="${back}" id="bad-request-back">`), `${path} links back`);
  }
});

Deno.test("the same bad parameter asked for as JSON, or under /api, stays a JSON 400", async () => {
  for (
    const [path, accept] of [
      ["/sessions?limit=abc", "application/json"],
      ["/api/sessions?limit=abc", "text/html"],
      ["/api/events?range=1y", "text/html"],
    ]
  ) {
    const res = await t.get(path, accept);
    assert.equal(res.status, 400, path);
    assert.match(res.headers.get("Content-Type") ?? "", /^application\/json/, path);
    assert.match(String((await res.json()).error), /must be/, path);
  }
});
