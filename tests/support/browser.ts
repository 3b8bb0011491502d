// Real headless Chromium for the browser tests: one browser per test file, pages that record
// console errors and uncaught page errors, and a per-run screenshot folder.

import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { join } from "node:path";
import { type Served, serveReady } from "./served.ts";
import { makeHome, type TestHome, writeFixtures } from "./home.ts";
import { chromium as chromiumPrereq, skipLine } from "./prereqs.ts";

/** /usr/bin/chromium (CLAUDE_DASH_CHROMIUM overrides it), or null when it is not there. */
export const chromiumPath: string | null = chromiumPrereq.find();

/**
 * The options of every browser test: without Chromium the test is ignored, not failed (the test
 * task prints once which tests are skipped and the command that enables them). Spread it into
 * `Deno.test({ ...browserTest, name, fn })` or pass it as `Deno.test(name, browserTest, fn)`.
 */
export const browserTest = {
  ignore: chromiumPath === null,
  sanitizeResources: false,
  sanitizeOps: false,
};

const launchArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

let browser: Promise<Browser> | null = null;

/** The file's shared browser, launched on first use (tests reach it only with `browserTest`). */
export function sharedBrowser(): Promise<Browser> {
  browser ??= (async () => {
    if (chromiumPath === null) throw new Error(skipLine(chromiumPrereq));
    return await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: launchArgs,
    });
  })();
  return browser;
}

export async function closeBrowser(): Promise<void> {
  const b = browser;
  browser = null;
  if (b) await (await b.catch(() => null))?.close();
}

/** A page at 1280x800 that records console errors and uncaught page errors. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  /** console messages of type "error" and uncaught exceptions, in order */
  errors: string[];
  close(): Promise<void>;
}

export async function openPage(): Promise<WatchedPage> {
  const context = await (await sharedBrowser()).newContext({
    viewport: { width: 1280, height: 800 },
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  return { context, page, errors, close: () => context.close() };
}

/** A server (under the start flags) on a fixture home, backfilled; stop() ends it, removes the home. */
export interface FixtureDashboard {
  home: TestHome;
  dashboard: Served;
  stop(): Promise<void>;
}

export async function startFixtureDashboard(): Promise<FixtureDashboard> {
  const home = await makeHome();
  try {
    await writeFixtures(home.claudeDir);
    const dashboard = await serveReady(home);
    return {
      home,
      dashboard,
      stop: async () => {
        await dashboard.stop();
        await home.cleanup();
      },
    };
  } catch (e) {
    await home.cleanup();
    throw e;
  }
}

let shotDir: string | null = null;

/** tests/screenshots/<run>/<name>.png; prints the folder once per file run. */
export async function screenshot(page: Page, name: string): Promise<string> {
  if (!shotDir) {
    const run = new Date().toISOString().replace(/[:.]/g, "-");
    shotDir = new URL(`../screenshots/browser-${run}/`, import.meta.url).pathname;
    await Deno.mkdir(shotDir, { recursive: true });
    console.log(`browser test screenshots: ${shotDir}`);
  }
  const path = join(shotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
