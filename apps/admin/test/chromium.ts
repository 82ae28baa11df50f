// Debian's Chromium through playwright-core, for every browser test (admin app, chat page,
// the whole journey). No DOM types here: the edge's Node tests import it too.
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";

/**
 * Debian's Chromium, headless, without the background services a test never wants. `args`
 * adds the test's own flags (host-resolver rules, features to turn off).
 */
export function launchChromium({ args = [] }: { args?: string[] } = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/services.mjs installs it`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      ...args,
    ],
  });
}
