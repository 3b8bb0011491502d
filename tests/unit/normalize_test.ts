// The parsers' small pure helpers: loose timestamps, message text, token usage, the JSON depth
// guard and the content hash behind idempotency keys.

import assert from "node:assert/strict";
import {
  contentHash,
  contentText,
  nestedDeeperThan,
  num,
  parseStamp,
  str,
  usageOf,
} from "../../src/ingest/parse/normalize.ts";

Deno.test("an ISO-8601 stamp with a zone parses to UTC and says it was zoned", () => {
  assert.deepEqual(parseStamp("2025-08-12T14:30:22.123Z"), {
    ms: Date.UTC(2025, 7, 12, 14, 30, 22, 123),
    zoned: true,
  });
  assert.deepEqual(parseStamp("2025-08-12T14:30:22+02:00"), {
    ms: Date.UTC(2025, 7, 12, 12, 30, 22),
    zoned: true,
  });
  assert.deepEqual(parseStamp("2025-08-12T14:30:22-0530"), {
    ms: Date.UTC(2025, 7, 12, 20, 0, 22),
    zoned: true,
  });
});

Deno.test("a logging script's compact stamp without a zone is local time", () => {
  assert.deepEqual(parseStamp("20250612_143022_123456"), {
    ms: new Date(2025, 5, 12, 14, 30, 22, 123).getTime(),
    zoned: false,
  });
  assert.deepEqual(parseStamp("2025-06-12"), {
    ms: new Date(2025, 5, 12).getTime(),
    zoned: false,
  });
});

Deno.test("epoch seconds and epoch milliseconds are both understood", () => {
  assert.deepEqual(parseStamp("1755000000"), { ms: 1755000000_000, zoned: true });
  assert.deepEqual(parseStamp("1755000000.5"), { ms: 1755000000_500, zoned: true });
  assert.deepEqual(parseStamp("1755000000123"), { ms: 1755000000123, zoned: true });
});

Deno.test("impossible dates and words are not stamps", () => {
  for (const bad of ["2025-13-01", "2025-01-32", "2025-01-01T25:00", "yesterday", "", "12345"]) {
    assert.equal(parseStamp(bad), null, bad);
  }
});

Deno.test("message content: a string, or the text parts of a block list", () => {
  assert.equal(contentText("plain"), "plain");
  assert.equal(
    contentText([{ type: "text", text: "a" }, "b", { type: "image" }, { text: "c" }]),
    "a b c",
  );
  assert.equal(contentText(42), "");
});

Deno.test("usage: missing token counts are 0 and 1-hour cache writes are read from cache_creation", () => {
  assert.deepEqual(
    usageOf({
      input_tokens: 3,
      cache_creation_input_tokens: 10,
      cache_creation: { ephemeral_1h_input_tokens: 4 },
      output_tokens: "many",
    }),
    {
      input_tokens: 3,
      output_tokens: 0,
      cache_creation_tokens: 10,
      cache_creation_1h_tokens: 4,
      cache_read_tokens: 0,
    },
  );
  assert.equal(usageOf(null), null);
  assert.equal(usageOf([1]), null);
});

Deno.test("str and num take only real strings and finite numbers", () => {
  assert.equal(str("x"), "x");
  assert.equal(str(1), null);
  assert.equal(num(2.5), 2.5);
  assert.equal(num(Infinity), 0);
  assert.equal(num("3"), 0);
});

Deno.test("the depth guard finds nesting past the limit and ignores many shallow brackets", () => {
  const deep = "[".repeat(6) + "]".repeat(6);
  assert.equal(nestedDeeperThan(deep, JSON.parse(deep), 5), true);
  assert.equal(nestedDeeperThan(deep, JSON.parse(deep), 6), false);
  const wide = JSON.stringify(Array.from({ length: 50 }, () => ({ a: [] })));
  assert.equal(nestedDeeperThan(wide, JSON.parse(wide), 5), false, "wide is not deep");
  const obj = '{"a":{"b":{"c":{}}}}';
  assert.equal(nestedDeeperThan(obj, JSON.parse(obj), 3), true);
});

Deno.test("the content hash is 16 hex digits, stable, and differs for different text", () => {
  const h = contentHash("hello");
  assert.match(h, /^[0-9a-f]{16}$/);
  assert.equal(contentHash("hello"), h);
  assert.notEqual(contentHash("hellp"), h);
  assert.notEqual(contentHash(""), contentHash(" "));
});
