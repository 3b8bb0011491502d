// Masks secrets in anything the server sends: values of env-like names (*_TOKEN, *_KEY,
// *_SECRET, PASSWORD …), Authorization / Bearer credentials, webhook URLs, passwords in URLs,
// and every literal value of the notifier's ~/.claude/hooks/.env.discord. The store keeps
// payloads exactly as written; masking happens where data leaves the process. Values learnt
// from .env.discord live only in this module's memory: never logged, stored or served.

import { maxSecretFileBytes, minKnownSecretChars } from "./config.ts";

/** What a masked value is replaced by (a long value keeps its first 4 characters as a hint). */
export const maskMark = "[masked]";

/** Relative path (from the Claude directory) of the notifier's secrets. */
export const secretFileRel = "hooks/.env.discord";

const maxKnownSecrets = 256;
const known = new Set<string>();
/** Known values with their JSON- and HTML-escaped spellings, longest first. */
let knownForms: Array<[string, string]> = [];

/** Adds values that must never be served (kept in memory only). */
export function rememberSecrets(values: Iterable<string>): void {
  let changed = false;
  for (const raw of values) {
    const v = raw.trim();
    if (v.length < minKnownSecretChars || /^(true|false|null|yes|no)$/i.test(v)) continue;
    if (known.has(v) || known.size >= maxKnownSecrets) continue;
    known.add(v);
    changed = true;
  }
  if (!changed) return;
  const forms = new Map<string, string>();
  for (const v of known) {
    const masked = maskValue(v);
    forms.set(v, masked);
    forms.set(JSON.stringify(v).slice(1, -1), JSON.stringify(masked).slice(1, -1));
    forms.set(htmlEscape(v), htmlEscape(masked));
    forms.set(htmlEscape(v).replaceAll("&#39;", "'"), htmlEscape(masked));
  }
  knownForms = [...forms].sort((a, b) => b[0].length - a[0].length);
}

/** How many distinct secret values are known (for tests and the health page; never the values). */
export function knownSecretCount(): number {
  return known.size;
}

/** The masked form of one secret value. */
export function maskValue(v: string): string {
  return v.length >= 24 ? `${v.slice(0, 4)}…${maskMark}` : maskMark;
}

function htmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  ).replace(/'/g, "&#39;");
}

// ---- patterns ----

/** Cheap pre-test: text without any of these words cannot match a pattern below. */
const hint =
  /token|key|secret|passw|bearer|basic|webhook|hooks\.slack|authori[sz]ation|:\/\/[^\s/]*@/i;

// Env-like names: the upper-case convention (any *_TOKEN …), plus a few names in any case.
const upperName = String
  .raw`(?:[A-Z][A-Z0-9_]*)?(?:PASSWORD|PASSWD)|[A-Z][A-Z0-9_]*_(?:TOKEN|KEY|SECRET|PASS|PWD|PAT)S?|SECRET|TOKEN`;
const anyCaseName = String
  .raw`password|passwd|api[_-]?key|secret[_-]?key|access[_-]?token|refresh[_-]?token|auth[_-]?token|client[_-]?secret|private[_-]?key`;
const value = String.raw`"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'|([^\s"'\x60,;&|<>(){}\[\]\\]+)`;
const assignment = (name: string, flags: string) =>
  new RegExp(String.raw`(?<![A-Za-z0-9_])(${name})(["']?\s*[:=]\s*)(?:${value})`, flags);
const upperAssignment = assignment(upperName, "g");
const anyCaseAssignment = assignment(anyCaseName, "gi");
const secretKey = new RegExp(String.raw`^(?:${upperName})$`);
const secretKeyAnyCase = new RegExp(String.raw`^(?:${anyCaseName})$`, "i");

const bearer = /\b(Bearer|Basic)(\s+)([A-Za-z0-9._~+/=-]{6,})/gi;
const authorization =
  /\b(authori[sz]ation["']?\s*[:=]\s*["']?)(?!Bearer\b|Basic\b)([A-Za-z]+\s+)?([^\s"',;\\]{6,})/gi;
const webhook =
  /\b(https?:\/\/(?:(?:ptb|canary|www)\.)?discord(?:app)?\.com\/api\/(?:v\d+\/)?webhooks\/|https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/)[^\s"'<>\\)]+/gi;
const urlPassword = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@"']+:)([^\s/@"']+)(@)/gi;

const harmless = /^(?:\$.*|null|true|false|undefined|none|\*+|\[masked\].*|.{0,4}…\[masked\])$/i;

function maskAssignment(
  whole: string,
  name: string,
  sep: string,
  dq: string | undefined,
  sq: string | undefined,
  bare: string | undefined,
  at: number,
  text: string,
): string {
  const v = dq ?? sq ?? bare ?? "";
  if (v === "" || harmless.test(v)) return whole;
  // An already masked hint ("abcd…[masked]") stops the bare value at "[": leave it.
  if (bare !== undefined && text.startsWith(maskMark, at + whole.length)) return whole;
  const q = dq !== undefined ? '"' : sq !== undefined ? "'" : "";
  return `${name}${sep}${q}${maskValue(v)}${q}`;
}

/** Masks secrets in free text (a summary, a command, a log line). Idempotent. */
export function maskSecrets(text: string): string {
  if (text.length < 6) return text;
  let out = text;
  if (hint.test(out)) {
    out = out
      .replace(webhook, (_m, base: string) => `${base}${maskMark}`)
      .replace(upperAssignment, maskAssignment)
      .replace(anyCaseAssignment, maskAssignment)
      .replace(
        bearer,
        (m, kind: string, sp: string, v: string) =>
          harmless.test(v) ? m : `${kind}${sp}${maskValue(v)}`,
      )
      .replace(
        authorization,
        (m, head: string, scheme: string | undefined, v: string) =>
          harmless.test(v) ? m : `${head}${scheme ?? ""}${maskValue(v)}`,
      )
      .replace(
        urlPassword,
        (_m, head: string, _v: string, at: string) => `${head}${maskMark}${at}`,
      );
  }
  return knownForms.length ? maskKnown(out) : out;
}

/**
 * Replaces the literal known values only (and their JSON/HTML spellings, and a known value cut
 * off by a "…" at the very end). Cheap: the last line of defence on whole response bodies.
 */
export function maskKnown(text: string): string {
  let out = text;
  for (const [v, masked] of knownForms) {
    if (out.includes(v)) out = out.split(v).join(masked);
  }
  if (out.endsWith("…")) {
    for (const v of known) {
      for (let k = v.length - 1; k >= minKnownSecretChars; k--) {
        const cut = v.slice(0, k) + "…";
        if (out.endsWith(cut)) {
          out = out.slice(0, out.length - cut.length) + maskMark + "…";
          break;
        }
      }
    }
  }
  return out;
}

/** Whether any known secret value (or its escaped spelling) occurs in the text. */
export function containsKnown(text: string): boolean {
  for (const [v] of knownForms) if (text.includes(v)) return true;
  return false;
}

/**
 * A parsed JSON value with every string masked and the values of secret-named keys replaced.
 * Iterative, so arbitrarily deep input cannot overflow the stack. Returns a new value.
 */
export function maskJson(input: unknown): unknown {
  const root: { v: unknown } = { v: input };
  const stack: Array<[Record<string, unknown> | unknown[], string | number]> = [[root, "v"]];
  while (stack.length > 0) {
    const [holder, k] = stack.pop()!;
    const h = holder as Record<string | number, unknown>;
    const v = h[k];
    if (typeof v === "string") h[k] = maskSecrets(v);
    else if (Array.isArray(v)) {
      const copy = v.slice();
      h[k] = copy;
      for (let i = 0; i < copy.length; i++) stack.push([copy, i]);
    } else if (v !== null && typeof v === "object") {
      const copy: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(v)) {
        const secretName = secretKey.test(key) || secretKeyAnyCase.test(key);
        if (secretName && (typeof child === "string" || typeof child === "number")) {
          const s = String(child);
          copy[key] = s === "" || harmless.test(s) ? child : maskValue(s);
        } else {
          copy[key] = child;
          stack.push([copy, key]);
        }
      }
      h[k] = copy;
    }
  }
  return root.v;
}

/** A stored JSON text with its secrets masked (re-serialized), or masked as text if it is not JSON. */
export function maskJsonText(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return maskSecrets(text);
  }
  try {
    return JSON.stringify(maskJson(parsed));
  } catch {
    return maskSecrets(text);
  }
}

/** JSON.stringify with the known secret values masked: for live messages. */
export function safeStringify(v: unknown): string {
  const s = JSON.stringify(v);
  return knownForms.length && containsKnown(s) ? maskKnown(s) : s;
}

// ---- the notifier's .env.discord ----

/** Values of a dotenv file (KEY=VALUE lines; `export`, quotes and # comments allowed). Pure. */
export function envFileValues(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    let v = m[1];
    const q = v[0];
    const close = q === '"' || q === "'" ? v.indexOf(q, 1) : -1;
    if (close > 0) v = v.slice(1, close);
    else v = v.replace(/\s+#.*$/, "");
    if (v) out.push(v);
  }
  return out;
}

/**
 * Learns the values in ~/.claude/hooks/.env.discord, re-reading only when its size or mtime
 * changes. Never follows a symbolic link, reads at most maxSecretFileBytes, never throws.
 */
export class SecretFile {
  #path: string;
  #stamp = "";

  constructor(claudeDir: string) {
    this.#path = `${claudeDir.replace(/\/+$/, "")}/${secretFileRel}`;
  }

  /** Re-reads the file when it changed; returns whether it exists. */
  refresh(): boolean {
    let st: Deno.FileInfo;
    try {
      st = Deno.lstatSync(this.#path);
    } catch {
      this.#stamp = "";
      return false;
    }
    if (!st.isFile || st.size > maxSecretFileBytes) return true;
    const stamp = `${st.size}:${st.mtime?.getTime() ?? 0}:${st.ino ?? 0}`;
    if (stamp === this.#stamp) return true;
    try {
      const file = Deno.openSync(this.#path, { read: true });
      try {
        const info = file.statSync();
        if (st.ino !== null && info.ino !== st.ino) return true; // swapped while opening
        const buf = new Uint8Array(Math.min(info.size, maxSecretFileBytes));
        let got = 0;
        while (got < buf.length) {
          const n = file.readSync(buf.subarray(got));
          if (n === null) break;
          got += n;
        }
        rememberSecrets(envFileValues(new TextDecoder().decode(buf.subarray(0, got))));
      } finally {
        file.close();
      }
      this.#stamp = stamp;
    } catch {
      // unreadable now: the patterns still mask; try again when it changes
    }
    return true;
  }
}
