// Search snippets with the matches marked. The snippet arrives as text with marker
// characters around each match; it is split on them and rebuilt as text nodes and <mark>
// elements, so nothing in it is ever parsed as HTML.

/** Marker pair around a match in a snippet (set to match the search query's output). */
export const markOpen = "\u0002";
export const markClose = "\u0003";

/** Splits a snippet into plain and matched parts. Pure. */
export function snippetParts(snippet: string): Array<{ text: string; match: boolean }> {
  const out: Array<{ text: string; match: boolean }> = [];
  let i = 0;
  while (i < snippet.length) {
    const open = snippet.indexOf(markOpen, i);
    if (open < 0) {
      out.push({ text: snippet.slice(i), match: false });
      break;
    }
    if (open > i) out.push({ text: snippet.slice(i, open), match: false });
    const close = snippet.indexOf(markClose, open + 1);
    const end = close < 0 ? snippet.length : close;
    out.push({ text: snippet.slice(open + 1, end), match: true });
    i = end + 1;
  }
  return out.filter((p) => p.text !== "");
}

export function Highlighted({ snippet }: { snippet: string }) {
  return <>{snippetParts(snippet).map((p) => (p.match ? <mark>{p.text}</mark> : p.text))}</>;
}
