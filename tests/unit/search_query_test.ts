// Search input → FTS5 MATCH expression: what a person types is always quoted, so a search can
// never be an FTS5 syntax error; bad input is a BadRequest that says what to type instead.

import assert from "node:assert/strict";
import { maxSearchChars, maxSearchTerms, parseSearch } from "../../src/store/read/search_query.ts";
import { BadRequest } from "../../src/core/errors.ts";

Deno.test("plain words must all occur, and rank first where they form the exact phrase", () => {
  assert.deepEqual(parseSearch("git push"), { match: '"git" "push"', phrase: '"git push"' });
});

Deno.test("one plain word has no phrase to rank by", () => {
  assert.deepEqual(parseSearch("  deploy  "), { match: '"deploy"', phrase: null });
});

Deno.test("a quoted phrase stays one term; a trailing star makes a prefix", () => {
  assert.deepEqual(parseSearch('"git push origin" deploy*'), {
    match: '"git push origin" "deploy"*',
    phrase: null,
  });
  assert.deepEqual(parseSearch('"src/ma"*'), { match: '"src/ma"*', phrase: null });
});

Deno.test("FTS5 operators and syntax are searched as literal text", () => {
  assert.deepEqual(parseSearch("NOT tests OR (build)").match, '"NOT" "tests" "OR" "(build)"');
  assert.equal(parseSearch("path:src").match, '"path:src"');
  assert.equal(parseSearch('a"b"').match, '"a" "b"');
});

Deno.test("terms without a letter or digit are dropped; with nothing left the search is refused", () => {
  assert.equal(parseSearch("--- build").match, '"build"');
  assert.throws(() => parseSearch("*** ..."), /has nothing to search for/);
});

Deno.test("an empty, too long, unbalanced or too many-termed search is a BadRequest", () => {
  assert.throws(() => parseSearch("   "), new BadRequest("q is required: the words to search for"));
  assert.throws(() => parseSearch("x".repeat(maxSearchChars + 1)), /q is too long/);
  assert.throws(() => parseSearch('"open phrase'), /unbalanced "/);
  const many = Array.from({ length: maxSearchTerms + 1 }, (_, i) => `w${i}`).join(" ");
  assert.throws(() => parseSearch(many), /too many terms: at most 32, got 33/);
});

Deno.test("letters of any script count as words", () => {
  assert.equal(parseSearch("café 東京").match, '"café" "東京"');
});
