// Secret masking, the last step before anything leaves the process: env-like assignments,
// credentials in headers and URLs, webhook URLs, and the notifier's .env.discord literals.

import assert from "node:assert/strict";
import {
  envFileValues,
  knownSecretCount,
  maskJson,
  maskJsonText,
  maskKnown,
  maskSecrets,
  maskValue,
  rememberSecrets,
  safeStringify,
} from "../../src/core/secrets.ts";

Deno.test("an env-like assignment keeps its name and loses its value", () => {
  assert.equal(maskSecrets("GITHUB_TOKEN=ghp_abc123def456"), "GITHUB_TOKEN=[masked]");
  assert.equal(
    maskSecrets('export OPENAI_API_KEY="sk-proj-0123456789abcdefghijklmnop"'),
    'export OPENAI_API_KEY="sk-p…[masked]"',
  );
  assert.equal(maskSecrets("password: hunter22"), "password: [masked]");
});

Deno.test("placeholders and variable references are not secrets", () => {
  for (const text of ["API_TOKEN=$API_TOKEN", "PASSWORD=null", "SECRET_KEY=***", "TOKEN=true"]) {
    assert.equal(maskSecrets(text), text);
  }
});

Deno.test("Bearer and Basic credentials and Authorization headers are masked", () => {
  assert.equal(
    maskSecrets("curl -H 'Authorization: Bearer abcdef123456'"),
    "curl -H 'Authorization: Bearer [masked]'",
  );
  assert.equal(maskSecrets("Basic dXNlcjpwYXNz"), "Basic [masked]");
});

Deno.test("a webhook URL keeps its base and loses its id and token", () => {
  assert.equal(
    maskSecrets("post to https://discord.com/api/webhooks/123/abcDEF-token now"),
    "post to https://discord.com/api/webhooks/[masked] now",
  );
  assert.equal(
    maskSecrets("https://hooks.slack.com/services/T000/B000/XXXX"),
    "https://hooks.slack.com/services/[masked]",
  );
});

Deno.test("a password inside a URL is masked, the user and host kept", () => {
  assert.equal(
    maskSecrets("psql postgres://app:s3cretpw@db.local/prod"),
    "psql postgres://app:[masked]@db.local/prod",
  );
});

Deno.test("masking is idempotent and leaves ordinary text alone", () => {
  const once = maskSecrets("API_KEY=abcdefghijklmnopqrstuvwxyz0123");
  assert.equal(maskSecrets(once), once);
  assert.equal(
    maskSecrets("git commit -m 'fix the key lookup'"),
    "git commit -m 'fix the key lookup'",
  );
  assert.equal(maskSecrets("short"), "short");
});

Deno.test("a long masked value keeps its first four characters as a hint", () => {
  assert.equal(maskValue("x".repeat(23)), "[masked]");
  assert.equal(maskValue("abcd" + "x".repeat(20)), "abcd…[masked]");
});

Deno.test("JSON: values of secret-named keys are replaced and every string is masked", () => {
  const masked = maskJson({
    env: { GITHUB_TOKEN: "ghp_0123456789", PATH: "/usr/bin", api_key: 12345678, password: "" },
    tool_input: { command: "SECRET=abcdefgh ./deploy" },
    list: ["Bearer abcdefghijk"],
  });
  assert.deepEqual(masked, {
    env: { GITHUB_TOKEN: "[masked]", PATH: "/usr/bin", api_key: "[masked]", password: "" },
    tool_input: { command: "SECRET=[masked] ./deploy" },
    list: ["Bearer [masked]"],
  });
});

Deno.test("masking JSON never changes the input and survives very deep nesting", () => {
  const input = { token: "abcdefghij" };
  maskJson(input);
  assert.deepEqual(input, { token: "abcdefghij" });
  let deep: unknown = "PASSWORD=abcdefgh";
  for (let i = 0; i < 20_000; i++) deep = [deep];
  let inner = maskJson(deep);
  while (Array.isArray(inner)) inner = inner[0];
  assert.equal(inner, "PASSWORD=[masked]");
});

Deno.test("stored JSON text is re-serialized masked; text that is not JSON is masked as text", () => {
  assert.equal(maskJsonText('{"TOKEN": "abcdefgh"}'), '{"TOKEN":"[masked]"}');
  assert.equal(maskJsonText("TOKEN=abcdefgh {"), "TOKEN=[masked] {");
});

Deno.test("a dotenv file gives its values: export, quotes and comments understood", () => {
  assert.deepEqual(
    envFileValues(
      [
        "# the notifier",
        "DISCORD_WEBHOOK_URL=https://discord.com/api/webhooks/1/x",
        'export BOT_TOKEN="quoted value" # comment',
        "CHANNEL='single'",
        "PLAIN=bare # trailing",
        "EMPTY=",
        "not a line",
      ].join("\r\n"),
    ),
    ["https://discord.com/api/webhooks/1/x", "quoted value", "single", "bare"],
  );
});

Deno.test("a remembered .env value is masked wherever it appears, even JSON-escaped or cut off", () => {
  const before = knownSecretCount();
  rememberSecrets(["Unit-Secret-Value-0001", "short", "true"]);
  assert.equal(knownSecretCount(), before + 1, "short and boolean values are not remembered");
  assert.equal(maskSecrets("echo Unit-Secret-Value-0001"), "echo [masked]");
  assert.equal(maskKnown("cut at Unit-Secret-Val…"), "cut at [masked]…");
  const json = safeStringify({ s: 'say "Unit-Secret-Value-0001"' });
  assert.ok(!json.includes("Unit-Secret-Value-0001"), json);
  assert.equal(safeStringify({ a: 1 }), '{"a":1}');
});
