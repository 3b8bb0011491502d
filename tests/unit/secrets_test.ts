// Secret masking, the last step before anything leaves the process: env-like assignments,
// credentials in headers and URLs, webhook URLs, and the notifier's .env.discord literals.

import assert from "node:assert/strict";
import {
  envFileValues,
  knownSecretCount,
  knownSecretsFingerprint,
  knownSecretsVersion,
  maskJson,
  maskJsonText,
  maskKnown,
  maskSecrets,
  maskValue,
  rememberSecrets,
  safeStringify,
  SecretFile,
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

// Key shapes that must be masked with no variable name next to them (issue 17). Built from
// parts so no real-looking key sits in the source as one literal.
const shapes: Record<string, string> = {
  anthropic: "sk-ant-" + "api03-" + "Zq8xW2vN5mK9pL3rT7yB1cF4hJ6dG0sA-_Qe2Ru8Ty",
  openai: "sk-" + "Zq8xW2vN5mK9pL3rT7yB1cF4hJ6dG0sAQe2Ru8TyUi4O",
  openaiProject: "sk-proj-" + "Zq8xW2vN5mK9pL3rT7yB1cF4hJ6dG0sA_Qe2Ru8Ty-Ui4Op",
  githubPat: "ghp_" + "Zq8xW2vN5mK9pL3rT7yB1cF4hJ6dG0sAQe2R",
  githubOauth: "gho_" + "Zq8xW2vN5mK9pL3rT7yB1cF4hJ6dG0sAQe2R",
  githubServer: "ghs_" + "Zq8xW2vN5mK9pL3rT7yB1cF4hJ6dG0sAQe2R",
  githubUser: "ghu_" + "Zq8xW2vN5mK9pL3rT7yB1cF4hJ6dG0sAQe2R",
  githubRefresh: "ghr_" + "Zq8xW2vN5mK9pL3rT7yB1cF4hJ6dG0sAQe2R",
  githubFine: "github_pat_" + "11ABCDEFG0Zq8xW2vN5mK9_pL3rT7yB1cF4hJ6dG0sAQe2Ru8TyUi4Op",
  aws: "AKIA" + "Z7Q2W8N5M3K9P4R6",
  awsSession: "ASIA" + "Z7Q2W8N5M3K9P4R6",
  slack: "xoxb-" + "123456789012-1234567890123-Zq8xW2vN5mK9pL3rT7yB1cF4",
  google: "AIza" + "SyZq8xW2vN5mK9pL3rT7yB1cF4hJ6dG0sAQe",
  discordBot: "MTA5ODc2NTQzMjEwOTg3NjU0Mw" + ".GaBcDe." + "Zq8xW2vN5mK9pL3rT7yB1cF4hJ6dG0sA",
  jwt: "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0." +
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV",
};

/** Every 12-character piece of the value: none may survive masking. */
function pieces(v: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 12 <= v.length; i++) out.push(v.slice(i, i + 12));
  return out;
}

function assertNoPiece(text: string, v: string, label: string): void {
  for (const p of pieces(v)) assert.ok(!text.includes(p), `${label}: "${p}" left in ${text}`);
}

Deno.test("every well-known key shape is masked without a variable name, in every context", () => {
  for (const [label, key] of Object.entries(shapes)) {
    for (
      const text of [
        `echo ${key}`,
        `--api-key ${key} --verbose`,
        `const key="${key}";`,
        `my key is ${key}.`,
        key,
        JSON.stringify({ prompt: `use ${key} now` }),
        `(${key})`,
      ]
    ) {
      const masked = maskSecrets(text);
      assertNoPiece(masked, key, label);
      assert.ok(masked.includes("[masked]"), `${label}: ${masked}`);
      assert.equal(maskSecrets(masked), masked, `${label}: masking again changes nothing`);
    }
  }
  assert.equal(maskSecrets(`echo ${shapes.anthropic}`), "echo sk-a…[masked]");
});

Deno.test("a key shape with a variable name is masked once, the name kept", () => {
  for (const [label, key] of Object.entries(shapes)) {
    for (const text of [`ANTHROPIC_API_KEY=${key}`, `export GH_TOKEN="${key}"`, `token: ${key}`]) {
      const masked = maskSecrets(text);
      assertNoPiece(masked, key, label);
      assert.equal(maskSecrets(masked), masked, label);
    }
  }
  assert.equal(
    maskSecrets(`ANTHROPIC_API_KEY=${shapes.anthropic}`),
    "ANTHROPIC_API_KEY=sk-a…[masked]",
  );
});

Deno.test("a PEM private key block loses its body, even with its END line cut off", () => {
  const body = "MIIEowIBAAKCAQEAZq8xW2vN5mK9pL3rT7yB1cF4hJ6dG0sA\nQe2Ru8TyUi4OpZq8xW2vN5mK9==";
  const block = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`;
  assert.equal(
    maskSecrets(`key:\n${block}\ndone`),
    "key:\n-----BEGIN RSA PRIVATE KEY-----[masked]-----END RSA PRIVATE KEY-----\ndone",
  );
  const cut = maskSecrets(`-----BEGIN PRIVATE KEY-----\n${body.slice(0, 40)}`);
  assertNoPiece(cut, body.slice(0, 40), "cut PEM");
  assert.equal(maskSecrets(cut), cut);
  // JSON-escaped, as a raw payload holds it.
  const escaped = maskSecrets(JSON.stringify({ content: block }));
  assertNoPiece(escaped, body.split("\n")[0], "escaped PEM");
});

Deno.test("ordinary text that resembles a key shape is left alone", () => {
  for (
    const text of [
      "/tmp/sk-learn/model.py",
      "pip install sk-learn-model-selection-tools-guide",
      "the task-ant-colony-simulation-runs-forever flag",
      "3f2a9c1e-7b4d-4e8a-9c2f-1a2b3c4d5e6f",
      "commit 9f8e7d6c5b4a39281706f5e4d3c2b1a098765432",
      "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
      "see docs.example.com/page.html and src/core/secrets.ts",
      "AKIAFOO is too short, and BAKIAZ7Q2W8N5M3K9P4R6 sits inside a word",
    ]
  ) {
    assert.equal(maskSecrets(text), text);
  }
});

Deno.test("a .env.discord that is a symbolic link is followed to its regular file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "claude-dash-secretfile-" });
  try {
    await Deno.mkdir(`${dir}/claude/hooks`, { recursive: true });
    await Deno.mkdir(`${dir}/dotfiles`);
    await Deno.writeTextFile(`${dir}/dotfiles/env`, "BOT_TOKEN=Linked-Decoy-Value-7731\n");
    await Deno.symlink(`${dir}/dotfiles/env`, `${dir}/claude/hooks/.env.discord`);
    const file = new SecretFile(`${dir}/claude`);
    assert.equal(file.refresh(), true);
    assert.equal(file.state, "read");
    assert.equal(maskSecrets("echo Linked-Decoy-Value-7731"), "echo [masked]");
    // A link to a folder (or one that leads nowhere) teaches nothing and says so.
    await Deno.remove(`${dir}/claude/hooks/.env.discord`);
    await Deno.symlink(`${dir}/dotfiles`, `${dir}/claude/hooks/.env.discord`);
    file.refresh();
    assert.equal(file.state, "not a file");
    await Deno.remove(`${dir}/claude/hooks/.env.discord`);
    await Deno.symlink(`${dir}/nowhere`, `${dir}/claude/hooks/.env.discord`);
    assert.equal(file.refresh(), false);
    assert.equal(file.state, "absent");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the known set's version and fingerprint change only when a new value is learnt", () => {
  rememberSecrets(["Unit-Secret-Value-0001"]);
  const v = knownSecretsVersion();
  const fp = knownSecretsFingerprint("salt");
  rememberSecrets(["Unit-Secret-Value-0001", "short"]);
  assert.equal(knownSecretsVersion(), v, "a value already known (or too short) changes nothing");
  assert.equal(knownSecretsFingerprint("salt"), fp);
  rememberSecrets(["Fingerprint-Value-9918"]);
  assert.equal(knownSecretsVersion(), v + 1);
  assert.notEqual(knownSecretsFingerprint("salt"), fp);
  assert.notEqual(knownSecretsFingerprint("other"), knownSecretsFingerprint("salt"));
  assert.match(knownSecretsFingerprint("salt"), /^[0-9a-f]{64}$/);
});
