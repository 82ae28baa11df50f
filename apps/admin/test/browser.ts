// axe-core injected from node_modules, and screenshots at phone and desktop widths saved under
// test/artifacts/.
import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { expect } from "vitest";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
export const ARTIFACTS = join(import.meta.dirname, "artifacts");

interface AxeViolation {
  id: string;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's verdict on the page as it is now: no violations, at 375 px and at 1280 px. */
export async function audit(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: width === 375 ? 812 : 900 });
    if ((await page.evaluate(() => typeof (window as { axe?: unknown }).axe)) === "undefined")
      // Evaluated over the DevTools protocol: the page's CSP (script-src 'self') stays in force.
      await page.evaluate(await readFile(AXE, "utf8"));
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
      const result = await axe.run();
      return result.violations.map((v) => ({
        id: v.id,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target })),
      }));
    });
    expect(violations, `${name} at ${width}px`).toEqual([]);
    // Nothing wider than the screen: no sideways scrolling on a phone.
    const { scrollWidth, widest } = await page.evaluate((limit) => {
      const over = [...document.querySelectorAll("body *")]
        .filter((el) => el.getBoundingClientRect().right > limit)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
      return { scrollWidth: document.documentElement.scrollWidth, widest: over.slice(-5).join(", ") };
    }, width);
    expect(scrollWidth, `${name} at ${width}px is ${scrollWidth}px wide (${widest})`).toBeLessThanOrEqual(
      width,
    );
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${width}.png`), fullPage: true });
  }
}
