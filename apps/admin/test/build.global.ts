// Builds apps/admin/dist once per run: the browser tests use the real static build.
import { join } from "node:path";
import { build } from "vite";

export default async function setup() {
  await build({ root: join(import.meta.dirname, ".."), logLevel: "warn" });
}
