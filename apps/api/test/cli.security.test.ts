// The operator endpoint the API opens for the CLI (embedded database only) runs commands for
// local programs holding the per-start token, and for nobody else.
import { readFile, stat, writeFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATOR_PATH } from "../src/operator/remote.ts";
import { printedJson, type RunningApi, runCli, startApiProcess } from "./running-api.ts";

let api: RunningApi;

beforeAll(async () => {
  api = await startApiProcess();
}, 180_000);

afterAll(async () => {
  await api?.stop();
  await api?.cleanUp();
});

const operatorCall = (headers: Record<string, string>, command: string, args: string[]) =>
  fetch(`${api.operator.url}${OPERATOR_PATH}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ command, args }),
  });

describe("the API's operator endpoint", { timeout: 120_000 }, () => {
  it("is published in a file only its user can read, with a long random token", async () => {
    expect((await stat(api.operatorFile)).mode & 0o777).toBe(0o600);
    expect(api.operator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(api.operator.token.length).toBeGreaterThanOrEqual(40);
  });

  it("refuses a missing or wrong token, and any browser page, and runs nothing for them", async () => {
    const args = ["--username", "intruder"];
    const refused: Record<string, string>[] = [
      {},
      { authorization: "Bearer wrong" },
      { authorization: `Bearer ${api.operator.token}x` },
    ];
    for (const headers of refused) {
      const res = await operatorCall(headers, "bootstrap", args);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    }
    const fromPage = await operatorCall(
      { authorization: `Bearer ${api.operator.token}`, origin: "http://127.0.0.1:8787" },
      "bootstrap",
      args,
    );
    expect(fromPage.status).toBe(403);
    expect(fromPage.headers.get("access-control-allow-origin")).toBeNull();

    // None of them created the user: it is free for a real bootstrap.
    const real = await operatorCall({ authorization: `Bearer ${api.operator.token}` }, "bootstrap", args);
    expect(real.status).toBe(200);
    expect(await real.text()).toContain('"username":"intruder"');
  });

  it("makes a CLI with a wrong token fail, instead of opening the database behind the API", async () => {
    const published = await readFile(api.operatorFile, "utf8");
    await writeFile(api.operatorFile, JSON.stringify({ ...api.operator, token: "forged-token" }), {
      mode: 0o600,
    });
    try {
      const run = await runCli(api.dataDir, ["bootstrap", "--json"]);
      expect(run.code).toBe(1);
      expect(printedJson(run)).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    } finally {
      await writeFile(api.operatorFile, published, { mode: 0o600 });
    }
  });
});
