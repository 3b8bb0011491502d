// The shared secret Claude Code must send to the machine endpoints (POST /hooks, /v1/logs,
// /v1/metrics) as `Authorization: Bearer <secret>`: one line in ~/.claude/claude-dash/ingest-secret
// (0600), made by the server on its first start or by `claude-dash setup`, whichever runs first
// (both create it with createNew, so the loser of a race reads the winner's secret).

import { encodeBase64Url } from "../core/base64url.ts";
import { log } from "../core/log.ts";

/** Where the secret lives, relative to the Claude directory. */
export const ingestSecretRel = "claude-dash/ingest-secret";

/**
 * The secret in `claudeDir`, created if missing. Null (the machine endpoints then refuse every
 * request) when it can be neither read nor made, e.g. a read-only folder.
 */
export function ensureIngestSecret(claudeDir: string): string | null {
  const path = `${claudeDir}/${ingestSecretRel}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const text = Deno.readTextFileSync(path).trim();
      if (text !== "") return text;
      log.warn(
        `${path} is empty: the hook and OTLP endpoints refuse everything until it is removed`,
      );
      return null;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) return unusable(path, e);
    }
    const secret = encodeBase64Url(crypto.getRandomValues(new Uint8Array(32)));
    try {
      Deno.mkdirSync(`${claudeDir}/claude-dash`, { recursive: true });
      Deno.writeTextFileSync(path, secret, { createNew: true, mode: 0o600 });
      return secret;
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) return unusable(path, e);
      // Made by setup at the same moment: read it on the next round.
    }
  }
  return null;
}

function unusable(path: string, e: unknown): null {
  log.warn(
    `no ingest secret (${path}: ${e instanceof Error ? e.message : e}); ` +
      "the hook and OTLP endpoints refuse every request",
  );
  return null;
}
