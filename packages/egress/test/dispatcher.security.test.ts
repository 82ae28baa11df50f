// The connect-time guard: whatever a URL looked like and whatever a check before the request
// saw, the dispatcher connects only to public addresses outside development. Real sockets,
// real resolution (the system's `localhost`, and names served by a DNS server on loopback).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startTestDnsServer, type TestDnsServer } from "@botgate/provisioning/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EgressRefusedError, egressFetch, egressRefusalOf, egressUrlProblem } from "../src/index.ts";
import { lookupThrough } from "../src/testing.ts";

let server: Server;
let port: number;
let hits = 0;
let dns: TestDnsServer;

beforeAll(async () => {
  server = createServer((_request, response) => {
    hits++;
    response.end("reached");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  dns = await startTestDnsServer();
  dns.records("internal.rebind.example", { A: ["127.0.0.1"] });
  dns.records("mixed.rebind.example", { A: ["8.8.8.8", "127.0.0.1"] });
  dns.records("metadata.rebind.example", { A: ["169.254.169.254"] });
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await dns?.close();
});

/** The fetch error's cause chain carries the typed refusal; anything else is rethrown. */
async function refusal(promise: Promise<unknown>): Promise<EgressRefusedError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  const refused = egressRefusalOf(error);
  if (refused === null) throw new Error(`expected an egress refusal, got ${String(error)}`);
  return refused;
}

describe("the egress dispatcher outside development", () => {
  const strict = () => egressFetch({ development: false, lookup: lookupThrough([dns.address]) });

  it("refuses a name that resolves to 127.0.0.1 through the system resolver (localhost)", async () => {
    const before = hits;
    const refused = await refusal(egressFetch({ development: false })(`http://localhost:${port}/`));
    expect(refused.address).toMatch(/^(127\.|::1$)/);
    expect(hits).toBe(before);
  });

  it("refuses at connect time a name no URL check objects to", async () => {
    const url = new URL(`https://internal.rebind.example:${port}/`);
    // Nothing about the URL as written is wrong: only the answer DNS gives when connecting.
    expect(egressUrlProblem(url, { development: false })).toBeNull();
    const before = hits;
    for (const target of [
      `http://internal.rebind.example:${port}/`,
      `http://metadata.rebind.example:${port}/latest/meta-data`,
      // One public and one private answer: Happy Eyeballs must not get to try the private one.
      `http://mixed.rebind.example:${port}/`,
    ]) {
      const refused = await refusal(strict()(target));
      expect(refused).toBeInstanceOf(EgressRefusedError);
      expect(refused.code).toBe("EGRESS_REFUSED");
      expect(refused.host).toBe(new URL(target).hostname);
      expect(refused.address).toMatch(/^(127\.0\.0\.1|169\.254\.169\.254)$/);
    }
    expect(hits).toBe(before);
  });

  it("refuses literal private addresses, which node:net connects to without a lookup", async () => {
    const before = hits;
    for (const target of [`http://127.0.0.1:${port}/`, `http://[::ffff:127.0.0.1]:${port}/`]) {
      const refused = await refusal(strict()(target));
      expect(refused.host).toBe(refused.address);
    }
    expect(hits).toBe(before);
  });

  it("refuses a name that DNS rebinds to a private address after a first public answer", async () => {
    dns.records("flip.rebind.example", { A: ["8.8.8.8"] });
    const lookup = lookupThrough([dns.address]);
    // A check before the request sees the public answer...
    const early = await new Promise<string>((resolve, reject) =>
      lookup("flip.rebind.example", { family: 4 }, (error, address) =>
        error ? reject(error) : resolve(String(address)),
      ),
    );
    expect(early).toBe("8.8.8.8");
    // ...then the name answers loopback when the request connects.
    dns.set("flip.rebind.example", { records: { A: ["127.0.0.1"] } });
    const before = hits;
    const refused = await refusal(
      egressFetch({ development: false, lookup })(`http://flip.rebind.example:${port}/`),
    );
    expect(refused.address).toBe("127.0.0.1");
    expect(hits).toBe(before);
  });
});

describe("the egress dispatcher in development", () => {
  it("connects to a name that resolves to 127.0.0.1, and to loopback literals", async () => {
    const dev = egressFetch({ development: true, lookup: lookupThrough([dns.address]) });
    const before = hits;
    const byName = await dev(`http://internal.rebind.example:${port}/`);
    expect(await byName.text()).toBe("reached");
    const byLiteral = await egressFetch({ development: true })(`http://127.0.0.1:${port}/`);
    expect(await byLiteral.text()).toBe("reached");
    expect(hits).toBe(before + 2);
  });
});

describe("URL checks", () => {
  const strict = { development: false };
  it("want https and a public host outside development, and allow http and loopback in development", () => {
    for (const url of [
      "http://api.example.com/v1",
      "https://127.0.0.1/",
      "https://10.0.0.1/",
      "https://169.254.169.254/",
      "https://[::1]/",
      "https://[fd00:ec2::254]/",
      "https://2130706433/",
      "https://localhost/",
      "https://ollama/",
      "ftp://example.com/",
    ]) {
      expect(egressUrlProblem(new URL(url), strict), url).not.toBeNull();
    }
    expect(egressUrlProblem(new URL("https://api.example.com/v1"), strict)).toBeNull();
    expect(egressUrlProblem(new URL("http://127.0.0.1:8080/v1"), { development: true })).toBeNull();
    expect(egressUrlProblem(new URL("ftp://127.0.0.1/"), { development: true })).not.toBeNull();
  });
});
