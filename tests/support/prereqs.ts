// What some tests need beyond Deno and npm packages: Chromium (the browser tests) and the
// `prometheus` binary (the scrape test). `deno task test` runs scripts/test_prereqs.ts first,
// which installs them when it can (root + apt-get) and otherwise prints one line per missing
// program with the command that enables its tests; the tests that need one are then ignored
// (never failed) — see `browserTest` in tests/support/browser.ts.
//
// CLAUDE_DASH_CHROMIUM and CLAUDE_DASH_PROMETHEUS override where each is looked for (a path that
// does not exist shows the skip path without uninstalling anything).

export interface Prereq {
  /** what the user would call it */
  name: string;
  /** which tests need it, for the summary line */
  tests: string;
  /** the Debian package that provides it */
  aptPackage: string;
  /** the environment variable that overrides where it is looked for */
  override: string;
  /** its path, or null when missing */
  find(): string | null;
}

export function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // not granted: behave as if unset
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false; // missing, or not readable under the caller's permissions
  }
}

/** The first `name` on PATH, or null. */
export function onPath(name: string): string | null {
  for (const dir of (env("PATH") ?? "/usr/local/bin:/usr/bin:/bin").split(":")) {
    if (dir !== "" && isFile(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  return null;
}

export const chromium: Prereq = {
  name: "Chromium",
  tests: "browser tests (tests/e2e/*browser*_test.ts)",
  aptPackage: "chromium",
  override: "CLAUDE_DASH_CHROMIUM",
  find() {
    const path = env(this.override) ?? "/usr/bin/chromium";
    return isFile(path) ? path : null;
  },
};

export const prometheus: Prereq = {
  name: "Prometheus",
  tests: "Prometheus scrape test (tests/e2e/prometheus_test.ts)",
  aptPackage: "prometheus",
  override: "CLAUDE_DASH_PROMETHEUS",
  find() {
    const override = env(this.override);
    if (override !== undefined) return isFile(override) ? override : null;
    return onPath("prometheus");
  },
};

export const prereqs: Prereq[] = [chromium, prometheus];

/** The one line printed when a prerequisite is missing: what is skipped and how to enable it. */
export function skipLine(p: Prereq): string {
  return `skipped the ${p.tests}: ${p.name} not found — install it with: ` +
    `sudo apt-get install -y ${p.aptPackage}`;
}
