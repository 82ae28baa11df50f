// The edge worker bundled the way `wrangler deploy` uploads it (wrangler.toml's settings,
// minified), without deploying: for the bundle-size benchmark and for serving it in Miniflare.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** Writes the bundle into `outdir` and returns the path of its entry module. */
export async function bundleWorker(outdir: string): Promise<string> {
  await promisify(execFile)(
    process.execPath,
    ["scripts/wrangler.mjs", "deploy", "--dry-run", "--outdir", outdir],
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
  );
  return join(outdir, "index.js");
}
