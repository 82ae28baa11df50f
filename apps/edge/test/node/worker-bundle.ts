// The edge worker bundled the way `wrangler deploy` uploads it (wrangler.toml's settings,
// minified), without deploying: for the bundle-size benchmark and for serving it in Miniflare.
import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/**
 * Writes the bundle into `outdir` and returns the path of its entry module. `config`: another
 * wrangler configuration than the root wrangler.toml (a benchmark's baseline worker).
 */
export async function bundleWorker(outdir: string, config?: string): Promise<string> {
  await promisify(execFile)(
    process.execPath,
    [
      "scripts/wrangler.mjs",
      "deploy",
      "--dry-run",
      "--outdir",
      outdir,
      ...(config ? ["--config", config] : []),
    ],
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  // Named after the configuration's entry (index.js for the edge): the one module written.
  const [entry] = (await readdir(outdir)).filter((name) => name.endsWith(".js"));
  if (entry === undefined) throw new Error(`wrangler wrote no worker bundle into ${outdir}`);
  return join(outdir, entry);
}
