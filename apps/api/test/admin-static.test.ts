// The admin app's static build served at /admin/: cache headers by kind, a strict CSP,
// nothing outside the build directory, a clear answer when it was never built.
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.ts";

let server: TestServer;
let unbuilt: TestServer;

beforeAll(async () => {
  const dist = await mkdtemp(join(tmpdir(), "admin-dist-"));
  await mkdir(join(dist, "assets"));
  await writeFile(join(dist, "index.html"), "<!doctype html><title>admin</title>");
  await writeFile(join(dist, "config.js"), "window.BOTGATE_ADMIN = {};");
  await writeFile(join(dist, "assets", "index-abc123.js"), "console.log(1)");
  await writeFile(join(tmpdir(), "outside-admin.js"), "secret");
  server = await startTestServer({ env: { ADMIN_DIST_DIR: dist } });
  unbuilt = await startTestServer({ env: { ADMIN_DIST_DIR: join(dist, "missing") } });
});
afterAll(async () => {
  await server?.close();
  await unbuilt?.close();
});

describe("GET /admin/", () => {
  it("answers index.html revalidated, with a strict CSP", async () => {
    const response = await fetch(`${server.url}/admin/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await response.text()).toContain("<title>admin</title>");
  });

  it("redirects /admin to /admin/", async () => {
    const response = await fetch(`${server.url}/admin`, { redirect: "manual" });
    expect(response.status).toBe(308);
    expect(response.headers.get("location")).toBe("/admin/");
  });

  it("caches hashed assets for a year and config.js not at all", async () => {
    const asset = await fetch(`${server.url}/admin/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(asset.headers.get("content-type")).toContain("text/javascript");
    const config = await fetch(`${server.url}/admin/config.js`);
    expect(config.headers.get("cache-control")).toBe("no-cache");
  });

  it("serves nothing outside the build", async () => {
    for (const path of [
      "/admin/..%2foutside-admin.js",
      "/admin/%2e%2e/outside-admin.js",
      "/admin/assets/..%2f..%2foutside-admin.js",
      "/admin/missing.js",
      "/admin/assets/index-abc123.js.map",
    ]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain("secret");
    }
  });

  it("says how to build the app when it was never built", async () => {
    const response = await fetch(`${unbuilt.url}/admin/`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain("pnpm --filter @botgate/admin build");
  });
});
