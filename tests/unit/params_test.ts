// Query-string validation at the edge: a bad value is a BadRequest whose message says what is
// accepted; an absent one takes its default.

import assert from "node:assert/strict";
import {
  eventFilters,
  intParam,
  limitParam,
  statusParam,
  timeParam,
} from "../../src/core/params.ts";
import { BadRequest } from "../../src/core/errors.ts";

const query = (params: Record<string, string>) => (name: string) => params[name];

Deno.test("a whole number within bounds is read; absent or empty takes the fallback", () => {
  assert.equal(intParam(query({ n: "42" }), "n", 7, 1, 100), 42);
  assert.equal(intParam(query({ n: "-3" }), "n", 7, -5, 100), -3);
  assert.equal(intParam(query({}), "n", 7, 1, 100), 7);
  assert.equal(intParam(query({ n: "" }), "n", 7, 1, 100), 7);
});

Deno.test("a number that is not whole, or out of bounds, is a BadRequest naming the parameter", () => {
  assert.throws(
    () => intParam(query({ limit: "1.5" }), "limit", 1, 1, 10),
    new BadRequest('limit must be a whole number, got "1.5"'),
  );
  assert.throws(
    () => intParam(query({ limit: "11" }), "limit", 1, 1, 10),
    new BadRequest("limit must be between 1 and 10, got 11"),
  );
  assert.throws(() => intParam(query({ limit: "1e3" }), "limit", 1, 1, 10000), BadRequest);
});

Deno.test("limit defaults to a page and stops at the largest page", () => {
  assert.equal(limitParam(query({})), 50);
  assert.equal(limitParam(query({ limit: "200" })), 200);
  assert.throws(() => limitParam(query({ limit: "201" })), BadRequest);
  assert.throws(() => limitParam(query({ limit: "0" })), BadRequest);
});

Deno.test("a time is ISO-8601 or epoch milliseconds; anything else is refused", () => {
  assert.equal(timeParam(query({ t: "1755000000000" }), "t"), 1755000000000);
  assert.equal(timeParam(query({ t: "2025-08-12T00:00:00Z" }), "t"), Date.UTC(2025, 7, 12));
  assert.equal(timeParam(query({}), "t"), undefined);
  assert.throws(
    () => timeParam(query({ since: "last tuesday" }), "since"),
    new BadRequest('since must be an ISO-8601 time or epoch milliseconds, got "last tuesday"'),
  );
});

Deno.test("event filters keep only what was given", () => {
  assert.deepEqual(eventFilters(query({})), {});
  assert.deepEqual(
    eventFilters(query({ session: "s", type: "PreToolUse", tool: "Bash", since: "10", until: "" })),
    { session: "s", type: "PreToolUse", tool: "Bash", since: 10 },
  );
});

Deno.test("a session status must be one of the four names", () => {
  assert.equal(statusParam(query({ status: "waiting" })), "waiting");
  assert.equal(statusParam(query({})), undefined);
  assert.throws(() => statusParam(query({ status: "asleep" })), /status must be one of running/);
});
