// Full-text search input: what a person types → a safe FTS5 MATCH expression. Pure.
//
// The index itself (events_fts, an FTS5 table over the view events_search_text) and the
// AFTER INSERT trigger that fills it live in migration 2 (src/store/migrations.ts): the text
// is extracted in SQL from events.raw, so the writer needs no change and the index can never
// disagree with the rows it was built from.
//
// Query language (deliberately small, never passed to FTS5 verbatim):
//   plain words   every word must occur (AND), in any order: `git push`
//   "a phrase"    the words in this order, adjacent: `"git push origin"`
//   prefix*       words starting with it: `deploy*`, `"src/ma"*`
// Everything else (AND, OR, NOT, NEAR(, column:, ^, parentheses) is taken as literal text, so
// a search can never be an FTS5 syntax error. Words are split the way the index splits them
// (unicode61: letters and digits; `_`, `/`, `.`, `-` separate), so `src/main.ts` finds the
// path as a phrase of src, main, ts.

import { BadRequest } from "../../core/errors.ts";

/** Longest search string accepted, in characters. */
export const maxSearchChars = 500;

/** Most terms (words + phrases) in one search. */
export const maxSearchTerms = 32;

/**
 * Prefix terms are what make a search slow: FTS5 merges the posting lists of every token that
 * starts with the prefix (and again per row for the snippet), so `a* b* c* …` reads most of the
 * index. node:sqlite offers no progress handler to cancel a running query, so the budget is
 * enforced up front: a few prefix terms, and at most one whose prefix is short.
 */
export const maxPrefixTerms = 4;
/** A prefix of fewer letters/digits than this is "short" (it matches a large part of the index). */
export const shortPrefixChars = 3;
export const maxShortPrefixes = 1;

/** Marks around highlighted parts of a snippet (STX … ETX); never present in indexed text. */
export const hitStart = "\u0002";
export const hitEnd = "\u0003";

export interface FtsQuery {
  /** The FTS5 MATCH expression: quoted terms joined by spaces (implicit AND). */
  match: string;
  /**
   * For two or more plain words: the same words as one exact phrase. Rows containing it rank
   * before rows that only contain the words somewhere, whatever bm25 says.
   */
  phrase: string | null;
}

interface Term {
  text: string;
  prefix: boolean;
  quoted: boolean;
}

const wordChar = /[\p{L}\p{N}]/u;

/** Turns user input into an FTS5 expression; throws BadRequest with a readable reason. */
export function parseSearch(input: string): FtsQuery {
  const q = input.trim();
  if (q === "") throw new BadRequest("q is required: the words to search for");
  if (q.length > maxSearchChars) {
    throw new BadRequest(`q is too long: at most ${maxSearchChars} characters, got ${q.length}`);
  }
  const terms: Term[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"') {
      const close = q.indexOf('"', i + 1);
      if (close === -1) {
        throw new BadRequest(
          'q has an unbalanced ": close the phrase with a second " (or search without quotes)',
        );
      }
      let end = close + 1;
      let prefix = false;
      while (q[end] === "*") {
        prefix = true;
        end++;
      }
      terms.push({ text: q.slice(i + 1, close), prefix, quoted: true });
      i = end;
      continue;
    }
    let end = i;
    while (end < q.length && !/\s/.test(q[end]) && q[end] !== '"') end++;
    let word = q.slice(i, end);
    const prefix = word.endsWith("*");
    word = word.replace(/\*+$/, "");
    terms.push({ text: word, prefix, quoted: false });
    i = end;
  }
  // A term without a letter or digit has no tokens: FTS5 would match nothing for it.
  const usable = terms.filter((t) => wordChar.test(t.text));
  if (usable.length === 0) {
    throw new BadRequest(
      `q "${shorten(q)}" has nothing to search for: use letters or digits, "a phrase" or prefix*`,
    );
  }
  if (usable.length > maxSearchTerms) {
    throw new BadRequest(`q has too many terms: at most ${maxSearchTerms}, got ${usable.length}`);
  }
  checkPrefixBudget(usable);
  const match = usable.map((t) => quote(t.text) + (t.prefix ? "*" : "")).join(" ");
  const plain = usable.length >= 2 && usable.every((t) => !t.quoted && !t.prefix);
  return { match, phrase: plain ? quote(usable.map((t) => t.text).join(" ")) : null };
}

function checkPrefixBudget(terms: Term[]): void {
  const prefixes = terms.filter((t) => t.prefix);
  if (prefixes.length > maxPrefixTerms) {
    throw new BadRequest(
      `q has too many prefix terms (word*): at most ${maxPrefixTerms}, got ${prefixes.length}; ` +
        "refine your search: use whole words or fewer prefixes",
    );
  }
  // FTS5 applies the * to the last token of the term (`"src/ma"*` is src then ma*).
  const short = prefixes.filter((t) => lastTokenLength(t.text) < shortPrefixChars);
  if (short.length > maxShortPrefixes) {
    throw new BadRequest(
      `q has ${short.length} prefixes shorter than ${shortPrefixChars} characters ` +
        `(${short.map((t) => `${t.text}*`).join(", ")}); at most ${maxShortPrefixes} is allowed: ` +
        "refine your search: lengthen them or use whole words",
    );
  }
}

/** Letters/digits (code points) of the term's last token. */
function lastTokenLength(text: string): number {
  const tokens = text.split(/[^\p{L}\p{N}]+/u).filter((w) => w !== "");
  return [...(tokens.at(-1) ?? "")].length;
}

/** An FTS5 string literal: inside double quotes every character is literal text. */
function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

function shorten(s: string): string {
  return s.length > 40 ? s.slice(0, 39) + "…" : s;
}
