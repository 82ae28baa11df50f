import { webcrypto } from "node:crypto";
import "../src/local/reflect-metadata.ts";
import * as x509 from "@peculiar/x509";
import { afterEach, describe, expect, it } from "vitest";
import { createLocalProvisioning, type LocalProvisioning } from "../src/index.ts";
import { pollUntil } from "./support/poll.ts";

const opened: LocalProvisioning[] = [];
async function open(options: { issueDelayMs: number; validationTimeoutMs?: number }) {
  const local = await createLocalProvisioning({
    rootDomain: "botgate.test",
    platformDomain: "api.botgate.test",
    ...options,
  });
  opened.push(local);
  return local;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l.close()));
});

const request = {
  domainName: "example.com",
  subjectAlternativeNames: ["example.com", "*.example.com"],
  idempotencyToken: "domain1example",
};

describe("the local CA", () => {
  it("answers a local ARN, pending with one validation CNAME shared by the domain and its wildcard", async () => {
    const local = await open({ issueDelayMs: 60_000 });
    const arn = await local.certificates.request(request);
    expect(arn).toMatch(/^local:cert\/[0-9a-f-]{36}$/);
    const state = await local.certificates.describe(arn);
    expect(state).toMatchObject({
      arn,
      status: "PENDING_VALIDATION",
      domainName: "example.com",
      subjectAlternativeNames: ["example.com", "*.example.com"],
      failureReason: null,
    });
    expect(state?.validationRecords).toHaveLength(1);
    expect(state?.validationRecords[0]).toMatchObject({
      type: "CNAME",
      name: expect.stringMatching(/^_[0-9a-f]{32}\.example\.com$/),
    });
    expect(await local.certificates.certificatePem(arn)).toBeNull();
  });

  it("stays pending while the validation record is present but the delay has not passed", async () => {
    const local = await open({ issueDelayMs: 60_000 });
    const zone = await local.dns.ensureZone("example.com", "domain-1");
    const arn = await local.certificates.request(request);
    const pending = await local.certificates.describe(arn);
    await local.dns.upsertRecords(zone.id, pending?.validationRecords ?? []);
    expect((await local.certificates.describe(arn))?.status).toBe("PENDING_VALIDATION");
  });

  it("issues a real leaf signed by the local root once the delay passed and the record exists", async () => {
    const local = await open({ issueDelayMs: 100 });
    const zone = await local.dns.ensureZone("example.com", "domain-1");
    const arn = await local.certificates.request(request);
    const pending = await local.certificates.describe(arn);
    await local.dns.upsertRecords(zone.id, pending?.validationRecords ?? []);
    const issued = await pollUntil(
      () => local.certificates.describe(arn),
      (s) => s?.status === "ISSUED",
    );
    expect(issued?.failureReason).toBeNull();

    const pem = await local.certificates.certificatePem(arn);
    if (pem === null) throw new Error("no PEM for an issued certificate");
    const leaf = new x509.X509Certificate(pem.certificate);
    const root = new x509.X509Certificate(pem.chain);
    expect(leaf.subject).toBe("CN=example.com");
    expect(leaf.issuer).toBe(root.subject);
    const san = leaf.getExtension(x509.SubjectAlternativeNameExtension);
    expect(san?.names.items.map((n) => n.value)).toEqual(["example.com", "*.example.com"]);
    expect(await leaf.verify({ publicKey: root.publicKey }, webcrypto as never)).toBe(true);
    expect(await root.isSelfSigned(webcrypto as never)).toBe(true);
    expect(root.publicKey.algorithm).toMatchObject({ name: "ECDSA", namedCurve: "P-256" });
  });

  it("fails with a reason naming the record when the validation record never appears", async () => {
    const local = await open({ issueDelayMs: 0, validationTimeoutMs: 150 });
    const arn = await local.certificates.request(request);
    const failed = await pollUntil(
      () => local.certificates.describe(arn),
      (s) => s?.status === "FAILED",
    );
    const record = failed?.validationRecords[0];
    expect(failed?.failureReason).toBe(
      `The DNS validation record was not found within 1 minute of the request: ${record?.name} CNAME ` +
        `${record?.values[0]}. Add it to the domain's DNS and request the certificate again.`,
    );
  });

  it("answers the same ARN for the same idempotency token and a new one for another token", async () => {
    const local = await open({ issueDelayMs: 60_000 });
    const first = await local.certificates.request(request);
    expect(await local.certificates.request(request)).toBe(first);
    const other = await local.certificates.request({ ...request, idempotencyToken: "domain2example" });
    expect(other).not.toBe(first);
    expect((await local.certificates.list()).sort()).toEqual([first, other].sort());
  });

  it("deletes certificates; an absent one is not an error and describes as null", async () => {
    const local = await open({ issueDelayMs: 60_000 });
    const arn = await local.certificates.request(request);
    await local.certificates.delete(arn);
    await local.certificates.delete(arn);
    expect(await local.certificates.describe(arn)).toBeNull();
    expect(await local.certificates.list()).toEqual([]);
  });
});
