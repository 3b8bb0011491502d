// Masks secrets: values of env-like names (*_TOKEN, *_KEY, *_SECRET, PASSWORD …),
// Authorization / Bearer credentials, webhook URLs, passwords in URLs, well-known key shapes
// (sk-ant-…, ghp_…, AKIA…, JWTs, PEM private keys …) with or without a name, and every literal
// value of the notifier's ~/.claude/hooks/.env.discord. The one masking function: the store
// applies it before indexing or storing display text (SQL mask_text), reads and live messages
// apply it again (idempotent). Raw payloads are stored as written and masked when served.
// Values learnt from .env.discord live only in this module's memory: never logged or served;
// only a salted fingerprint of the whole set is stored, to know when the index must follow.

import { createHash } from "node:crypto";
import { maxSecretFileBytes, minKnownSecretChars } from "./config.ts";

/** What a masked value is replaced by (a long value keeps its first 4 characters as a hint). */
export const maskMark = "[masked]";

/** Relative path (from the Claude directory) of the notifier's secrets. */
export const secretFileRel = "hooks/.env.discord";

const maxKnownSecrets = 256;
const known = new Set<string>();
/** Known values with their JSON- and HTML-escaped spellings, longest first. */
let knownForms: Array<[string, string]> = [];
/** Bumped whenever `known` changes: what is masked (and so indexed) changed. */
let knownVersion = 0;

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
  knownVersion++;
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

/** Changes whenever the set of known values does (starts at 0: none learnt yet). */
export function knownSecretsVersion(): number {
  return knownVersion;
}

/**
 * A fingerprint of the whole set of known values (salted; never of one value alone): stored
 * with the search index so a restart knows whether the index was masked with the same set.
 */
export function knownSecretsFingerprint(salt: string): string {
  if (known.size === 0) return "none";
  const h = createHash("sha256").update(salt);
  for (const v of [...known].sort()) h.update("\u0000").update(v);
  return h.digest("hex");
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
/** The same for the key shapes below (case-sensitive: cheaper than one pre-test for both). */
const shapeHint =
  /sk-|gh[pousr]_|github_pat_|AKIA|ASIA|xox[abprs]-|AIza|eyJ|PRIVATE KEY-----|\.[\w-]{6,7}\./;

// Well-known key shapes, masked wherever they stand (no variable name needed). A shape starts
// where no letter or digit precedes it ("\n" escaped in JSON text still counts as a start), so
// words like "task-…" and paths like /tmp/sk-learn stay. Each needs its full length, so
// uuids, git SHAs and base64 data do not match.
const keyShapes = new RegExp(
  String.raw`(?<!(?<!\\)[A-Za-z0-9])(?:` + [
    String.raw`sk-ant-[A-Za-z0-9_-]{16,}`, // Anthropic
    String.raw`sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}`, // OpenAI (see randomish)
    String.raw`gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}`, // GitHub
    String.raw`(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])`, // AWS access key id
    String.raw`xox[abprs]-[A-Za-z0-9-]{10,}`, // Slack
    String.raw`AIza[A-Za-z0-9_-]{30,}`, // Google API key
    String.raw`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`, // JWT
    String.raw`[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}`, // Discord bot
  ].join("|") + ")",
  "g",
);
/** A PEM private key block (its END line may be cut off): the body goes, the armour stays. */
const pemKey =
  /(-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----)(?:[^-]|-(?!----))*(?:-----END [A-Z0-9 ]*PRIVATE KEY-----)?/g;

/** "sk-…" is also how kebab-case words start: an OpenAI key has digits and letters mixed in. */
function randomish(v: string): boolean {
  if (v.startsWith("sk-ant-") || !v.startsWith("sk-")) return true;
  return /\d.*\d/.test(v) && /[A-Za-z].*[A-Za-z]/.test(v.slice(3)) && !/--/.test(v);
}

function maskShapes(text: string): string {
  let out = text.replace(keyShapes, (m) => randomish(m) ? maskValue(m) : m);
  if (out.includes("PRIVATE KEY-----")) {
    out = out.replace(
      pemKey,
      (_m, begin: string, kind: string) => `${begin}${maskMark}-----END ${kind}PRIVATE KEY-----`,
    );
  }
  return out;
}

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
  if (shapeHint.test(out)) out = maskShapes(out);
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

/** What the last look at .env.discord found (for /health: never a value). */
export type SecretFileState = "absent" | "read" | "unreadable" | "not a file" | "too large";

/**
 * Learns the values in ~/.claude/hooks/.env.discord, re-reading only when its size or mtime
 * changes. A symbolic link (dotfile managers) is followed to a regular file of at most
 * maxSecretFileBytes: its values only ever mask more, and nothing of it is served. Never throws.
 */
export class SecretFile {
  #path: string;
  #stamp = "";
  #state: SecretFileState = "absent";
  #report: { secretsFile: SecretFileState } | null;

  /** `report` (the ingester's counters) is told what each refresh found. */
  constructor(claudeDir: string, report: { secretsFile: SecretFileState } | null = null) {
    this.#path = `${claudeDir.replace(/\/+$/, "")}/${secretFileRel}`;
    this.#report = report;
  }

  /** What the last refresh found. */
  get state(): SecretFileState {
    return this.#state;
  }

  #found(state: SecretFileState): void {
    this.#state = state;
    if (this.#report) this.#report.secretsFile = state;
  }

  /** Re-reads the file when it changed; returns whether it exists. */
  refresh(): boolean {
    let st: Deno.FileInfo;
    let linked = false;
    try {
      st = Deno.lstatSync(this.#path);
      linked = st.isSymlink;
      if (linked) st = Deno.statSync(this.#path);
    } catch (e) {
      this.#stamp = "";
      this.#found(e instanceof Deno.errors.NotFound ? "absent" : "unreadable");
      return this.#state !== "absent";
    }
    if (!st.isFile || st.size > maxSecretFileBytes) {
      this.#found(st.isFile ? "too large" : "not a file");
      return true;
    }
    const stamp = `${st.size}:${st.mtime?.getTime() ?? 0}:${st.ino ?? 0}`;
    if (stamp === this.#stamp) return true;
    try {
      const file = Deno.openSync(this.#path, { read: true });
      try {
        // Deno checks an open file's stat against its real path, which a link's target outside
        // ~/.claude is not: a link is stat'ed again by name instead.
        const info = linked ? Deno.statSync(this.#path) : file.statSync();
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
      this.#found("read");
    } catch {
      // unreadable now: the patterns still mask; try again when it changes
      this.#found("unreadable");
    }
    return true;
  }
}
