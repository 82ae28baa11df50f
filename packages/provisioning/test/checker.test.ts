import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ResolverDnsChecker } from "../src/index.ts";
import { startTestDnsServer, type TestDnsServer } from "../src/testing/index.ts";

let dns: TestDnsServer;
let checker: ResolverDnsChecker;

beforeAll(async () => {
  dns = await startTestDnsServer();
  // Generous for a loaded machine; only the silent server's check waits this out (with its own).
  checker = new ResolverDnsChecker({ nameServers: [dns.address], timeoutMs: 3_000, tries: 2 });
});
beforeEach(() => dns.clear());
afterAll(() => dns.close());

describe("the DNS checker against a real DNS server", () => {
  it("matches right name servers, case- and trailing-dot-insensitively, and says who it asked", async () => {
    dns.records("example.com", { NS: ["NS2.botgate.net.", "ns1.botgate.net", "ns3.other.net"] });
    const check = await checker.check({
      name: "Example.com.",
      type: "NS",
      values: ["ns1.botgate.net.", "ns2.BOTGATE.net"],
    });
    expect(check).toMatchObject({
      outcome: "match",
      responseCode: "NOERROR",
      reason: null,
      resolver: [dns.address],
      answered: ["ns2.botgate.net", "ns1.botgate.net", "ns3.other.net"],
      expected: { name: "Example.com.", type: "NS" },
    });
    expect(Date.parse(check.checkedAt)).not.toBeNaN();
  });

  it("reports wrong name servers as a mismatch a customer can act on", async () => {
    dns.records("example.com", { NS: ["ns1.other.net", "ns2.other.net"] });
    const check = await checker.check({
      name: "example.com",
      type: "NS",
      values: ["ns1.botgate.net", "ns2.botgate.net"],
    });
    expect(check.outcome).toBe("mismatch");
    expect(check.responseCode).toBe("NOERROR");
    expect(check.answered).toEqual(["ns1.other.net", "ns2.other.net"]);
    expect(check.reason).toBe(
      "ns1.botgate.net, ns2.botgate.net are not among the name servers of example.com: DNS answers ns1.other.net, " +
        "ns2.other.net. Set the name servers of example.com at your registrar to ns1.botgate.net, ns2.botgate.net.",
    );
  });

  it("joins the strings of a split TXT record before comparing", async () => {
    const long = "t".repeat(300);
    dns.records("_botgate.example.com", { TXT: [[long.slice(0, 255), long.slice(255)], "other"] });
    const check = await checker.check({ name: "_botgate.example.com", type: "TXT", values: [long] });
    expect(check).toMatchObject({ outcome: "match", answered: [long, "other"] });
  });

  it("reports a TXT record without the token, quoting what DNS answers", async () => {
    dns.records("_botgate.example.com", { TXT: ["wrong-token"] });
    const check = await checker.check({ name: "_botgate.example.com", type: "TXT", values: ["token-1"] });
    expect(check.outcome).toBe("mismatch");
    expect(check.reason).toBe(
      'The TXT record at _botgate.example.com does not contain "token-1": DNS answers "wrong-token". ' +
        'Add a TXT record at _botgate.example.com with the value "token-1".',
    );
  });

  it("matches A, AAAA and CNAME answers and reports a wrong target", async () => {
    dns.records("bot.example.com", { A: ["192.0.2.1"], AAAA: ["2001:db8::1"] });
    dns.records("www.example.com", { CNAME: ["Edge.Botgate.net."] });
    expect((await checker.check({ name: "bot.example.com", type: "A", values: ["192.0.2.1"] })).outcome).toBe(
      "match",
    );
    expect(
      (await checker.check({ name: "bot.example.com", type: "AAAA", values: ["2001:db8::1"] })).outcome,
    ).toBe("match");
    expect(
      (await checker.check({ name: "www.example.com", type: "CNAME", values: ["edge.botgate.net"] })).outcome,
    ).toBe("match");
    const wrong = await checker.check({ name: "www.example.com", type: "CNAME", values: ["edge.other.net"] });
    expect(wrong).toMatchObject({ outcome: "mismatch", answered: ["edge.botgate.net"] });
    expect(wrong.reason).toBe(
      "www.example.com does not point to edge.other.net: DNS answers edge.botgate.net. " +
        "Set a CNAME record at www.example.com pointing to edge.other.net.",
    );
  });

  it("reports an existing name without that record type as a mismatch with an empty answer", async () => {
    dns.records("bot.example.com", { A: ["192.0.2.1"] });
    const check = await checker.check({ name: "bot.example.com", type: "TXT", values: ["x"] });
    expect(check).toMatchObject({ outcome: "mismatch", responseCode: "NOERROR", answered: [] });
    expect(check.reason).toContain("DNS has no TXT record for bot.example.com");
  });

  it("reports NXDOMAIN as a mismatch: the name does not exist", async () => {
    dns.set("missing.example.com", { rcode: "NXDOMAIN" });
    const check = await checker.check({
      name: "missing.example.com",
      type: "CNAME",
      values: ["edge.botgate.net"],
    });
    expect(check).toMatchObject({ outcome: "mismatch", responseCode: "NXDOMAIN", answered: [] });
    expect(check.reason).toBe(
      "missing.example.com does not exist in DNS (NXDOMAIN). Set a CNAME record at missing.example.com pointing to edge.botgate.net.",
    );
  });

  it("reports SERVFAIL and REFUSED as transient, never as failures", async () => {
    dns.set("broken.example.com", { rcode: "SERVFAIL" });
    dns.set("refused.example.com", { rcode: "REFUSED" });
    const servfail = await checker.check({ name: "broken.example.com", type: "A", values: ["192.0.2.1"] });
    expect(servfail).toMatchObject({ outcome: "transient", responseCode: "SERVFAIL", answered: [] });
    expect(servfail.reason).toBe(
      `Could not check broken.example.com: the name servers failed to answer (SERVFAIL from ${dns.address}). ` +
        "This is usually temporary; it will be checked again.",
    );
    const refused = await checker.check({ name: "refused.example.com", type: "A", values: ["192.0.2.1"] });
    expect(refused).toMatchObject({ outcome: "transient", responseCode: "REFUSED" });
    expect(refused.reason).toContain("refused to answer (REFUSED");
  });

  it("reports a server that never answers as a transient timeout", async () => {
    dns.set("silent.example.com", { silent: true });
    const impatient = new ResolverDnsChecker({ nameServers: [dns.address], timeoutMs: 200, tries: 1 });
    const check = await impatient.check({ name: "silent.example.com", type: "TXT", values: ["x"] });
    expect(check).toMatchObject({ outcome: "transient", responseCode: "TIMEOUT", answered: [] });
    expect(check.reason).toBe(
      `Could not check silent.example.com: DNS did not answer in time (asked ${dns.address}). ` +
        "This is usually temporary; it will be checked again.",
    );
    expect(dns.queries.some((q) => q.name === "silent.example.com")).toBe(true);
  });
});
