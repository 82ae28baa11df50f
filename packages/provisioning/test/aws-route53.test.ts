import { ACMClient } from "@aws-sdk/client-acm";
import {
  ChangeResourceRecordSetsCommand,
  ConflictingDomainExists,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  GetHostedZoneCommand,
  HostedZoneAlreadyExists,
  InvalidChangeBatch,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  NoSuchHostedZone,
  Route53Client,
  ThrottlingException,
} from "@aws-sdk/client-route-53";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { createAwsProvisioning, quoteTxt, unquoteTxt } from "../src/index.ts";

const meta = { $metadata: {} };
const route53 = new Route53Client({ region: "us-east-1" });
const mock = mockClient(route53);
const { dns } = createAwsProvisioning(
  { region: "eu-west-1", platformHostedZoneId: "/hostedzone/ZPLATFORM1" },
  { route53, acm: new ACMClient({ region: "eu-west-1" }) },
);

const zoneAnswer = (id: string, name: string, callerReference: string) => ({
  HostedZone: { Id: `/hostedzone/${id}`, Name: `${name}.`, CallerReference: callerReference },
  DelegationSet: { NameServers: ["ns-1.awsdns-01.com", "ns-2.awsdns-02.net."] },
});

beforeEach(() => mock.reset());

describe("the Route53 DNS provider", () => {
  it("creates a hosted zone with the caller reference and answers its delegation name servers", async () => {
    mock.on(CreateHostedZoneCommand).resolves(zoneAnswer("ZNEW1", "example.com", "domain-1"));
    const zone = await dns.ensureZone("Example.COM.", "domain-1");
    expect(zone).toEqual({
      id: "ZNEW1",
      name: "example.com",
      nameServers: ["ns-1.awsdns-01.com", "ns-2.awsdns-02.net"],
    });
    expect(mock).toHaveReceivedCommandExactlyOnceWith(CreateHostedZoneCommand, {
      Name: "example.com",
      CallerReference: "domain-1",
      HostedZoneConfig: { Comment: "botgate custom domain", PrivateZone: false },
    });
  });

  it.each([
    ["HostedZoneAlreadyExists", () => new HostedZoneAlreadyExists({ message: "exists", ...meta })],
    ["ConflictingDomainExists", () => new ConflictingDomainExists({ message: "conflict", ...meta })],
  ])(
    "on a retry (%s) finds the zone this caller reference created instead of a second one",
    async (_, error) => {
      mock.on(CreateHostedZoneCommand).rejects(error());
      mock.on(ListHostedZonesByNameCommand, { DNSName: "example.com" }).resolves({
        HostedZones: [
          { Id: "/hostedzone/ZOTHER", Name: "example.com.", CallerReference: "someone-else" },
          { Id: "/hostedzone/ZNEW1", Name: "example.com.", CallerReference: "domain-1" },
        ],
        IsTruncated: true,
        NextDNSName: "example.com.",
        NextHostedZoneId: "ZNEXT",
      });
      mock.on(GetHostedZoneCommand, { Id: "ZNEW1" }).resolves(zoneAnswer("ZNEW1", "example.com", "domain-1"));
      const zone = await dns.ensureZone("example.com", "domain-1");
      expect(zone.id).toBe("ZNEW1");
      expect(mock).toHaveReceivedCommandTimes(CreateHostedZoneCommand, 1);
      expect(mock).toHaveReceivedCommandWith(GetHostedZoneCommand, { Id: "ZNEW1" });
    },
  );

  it("pages through zones of the same name to find the caller reference, and conflicts when none matches", async () => {
    mock.on(CreateHostedZoneCommand).rejects(new HostedZoneAlreadyExists({ message: "exists", ...meta }));
    mock
      .on(ListHostedZonesByNameCommand)
      .resolvesOnce({
        HostedZones: [{ Id: "/hostedzone/ZA", Name: "example.com.", CallerReference: "a" }],
        IsTruncated: true,
        NextDNSName: "example.com.",
        NextHostedZoneId: "ZB",
      })
      .resolvesOnce({
        HostedZones: [
          { Id: "/hostedzone/ZB", Name: "example.com.", CallerReference: "b" },
          { Id: "/hostedzone/ZC", Name: "example.net.", CallerReference: "domain-1" },
        ],
        IsTruncated: false,
      });
    await expect(dns.ensureZone("example.com", "domain-1")).rejects.toMatchObject({ code: "CONFLICT" });
    expect(mock).toHaveReceivedNthCommandWith(ListHostedZonesByNameCommand, 2, {
      DNSName: "example.com.",
      HostedZoneId: "ZB",
    });
  });

  it("UPSERTs record sets with TXT values quoted and split into 255-character strings", async () => {
    mock.on(ChangeResourceRecordSetsCommand).resolves({});
    const long = "a".repeat(300);
    await dns.upsertRecords("/hostedzone/ZNEW1", [
      { name: "Bot.Example.com.", type: "CNAME", values: ["edge.botgate.net."], ttl: 60 },
      { name: "_botgate.example.com", type: "TXT", values: ['say "hi"', long], ttl: 300 },
    ]);
    expect(mock).toHaveReceivedCommandExactlyOnceWith(ChangeResourceRecordSetsCommand, {
      HostedZoneId: "ZNEW1",
      ChangeBatch: {
        Comment: "botgate",
        Changes: [
          {
            Action: "UPSERT",
            ResourceRecordSet: {
              Name: "bot.example.com",
              Type: "CNAME",
              TTL: 60,
              ResourceRecords: [{ Value: "edge.botgate.net" }],
            },
          },
          {
            Action: "UPSERT",
            ResourceRecordSet: {
              Name: "_botgate.example.com",
              Type: "TXT",
              TTL: 300,
              ResourceRecords: [
                { Value: '"say \\"hi\\""' },
                { Value: `"${"a".repeat(255)}" "${"a".repeat(45)}"` },
              ],
            },
          },
        ],
      },
    });
    expect(unquoteTxt(quoteTxt(long))).toBe(long);
    expect(unquoteTxt(quoteTxt('say "hi" \\o/'))).toBe('say "hi" \\o/');
  });

  it("deletes with the exact current values read first, skipping sets that are absent", async () => {
    mock
      .on(ListResourceRecordSetsCommand, { StartRecordName: "bot.example.com", StartRecordType: "CNAME" })
      .resolves({
        ResourceRecordSets: [
          { Name: "bot.example.com.", Type: "CNAME", TTL: 300, ResourceRecords: [{ Value: "old.edge.net" }] },
        ],
        IsTruncated: false,
      })
      .on(ListResourceRecordSetsCommand, { StartRecordName: "gone.example.com", StartRecordType: "A" })
      .resolves({
        // Route53 answers the next set in order when the asked one does not exist.
        ResourceRecordSets: [
          { Name: "www.example.com.", Type: "A", TTL: 60, ResourceRecords: [{ Value: "192.0.2.1" }] },
        ],
        IsTruncated: true,
      });
    mock.on(ChangeResourceRecordSetsCommand).resolves({});
    await dns.deleteRecords("ZNEW1", [
      { name: "bot.example.com", type: "CNAME", values: ["edge.botgate.net"], ttl: 60 },
      { name: "gone.example.com", type: "A", values: ["192.0.2.9"], ttl: 60 },
    ]);
    expect(mock).toHaveReceivedCommandWith(ListResourceRecordSetsCommand, {
      HostedZoneId: "ZNEW1",
      StartRecordName: "bot.example.com",
      StartRecordType: "CNAME",
      MaxItems: 1,
    });
    expect(mock).toHaveReceivedCommandExactlyOnceWith(ChangeResourceRecordSetsCommand, {
      HostedZoneId: "ZNEW1",
      ChangeBatch: {
        Comment: "botgate",
        Changes: [
          {
            Action: "DELETE",
            ResourceRecordSet: {
              Name: "bot.example.com.",
              Type: "CNAME",
              TTL: 300,
              ResourceRecords: [{ Value: "old.edge.net" }],
            },
          },
        ],
      },
    });
  });

  it("sends nothing when every set to delete is already gone, and ignores an absent zone", async () => {
    mock.on(ListResourceRecordSetsCommand).resolves({ ResourceRecordSets: [], IsTruncated: false });
    await dns.deleteRecords("ZNEW1", [{ name: "bot.example.com", type: "CNAME", values: ["x"], ttl: 60 }]);
    expect(mock).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 0);
    mock.on(ListResourceRecordSetsCommand).rejects(new NoSuchHostedZone({ message: "no zone", ...meta }));
    await expect(
      dns.deleteRecords("ZGONE", [{ name: "a.example.com", type: "A", values: ["x"], ttl: 60 }]),
    ).resolves.toBeUndefined();
  });

  it("treats a set deleted between the read and the DELETE (InvalidChangeBatch not found) as done", async () => {
    mock.on(ListResourceRecordSetsCommand).callsFake((input: { StartRecordName: string }) => ({
      ResourceRecordSets: [
        { Name: `${input.StartRecordName}.`, Type: "A", TTL: 60, ResourceRecords: [{ Value: "192.0.2.1" }] },
      ],
      IsTruncated: false,
    }));
    const notFound = new InvalidChangeBatch({
      message: "Tried to delete resource record set [name='a.example.com.', type='A'] but it was not found",
      ...meta,
    });
    mock.on(ChangeResourceRecordSetsCommand).rejectsOnce(notFound).rejectsOnce(notFound).resolves({});
    await dns.deleteRecords("ZNEW1", [
      { name: "a.example.com", type: "A", values: ["192.0.2.1"], ttl: 60 },
      { name: "b.example.com", type: "A", values: ["192.0.2.1"], ttl: 60 },
    ]);
    // The batch, then each change alone: a's is already gone, b's goes through.
    expect(mock).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 3);
    expect(mock).toHaveReceivedLastCommandWith(ChangeResourceRecordSetsCommand, {
      ChangeBatch: {
        Comment: "botgate",
        Changes: [
          expect.objectContaining({
            Action: "DELETE",
            ResourceRecordSet: expect.objectContaining({ Name: "b.example.com." }),
          }),
        ],
      },
    });
  });

  it("lists every page of record sets, decoding names and TXT, without the apex SOA and NS", async () => {
    mock.on(GetHostedZoneCommand).resolves(zoneAnswer("ZNEW1", "example.com", "domain-1"));
    mock
      .on(ListResourceRecordSetsCommand)
      .resolvesOnce({
        ResourceRecordSets: [
          {
            Name: "example.com.",
            Type: "NS",
            TTL: 172800,
            ResourceRecords: [{ Value: "ns-1.awsdns-01.com." }],
          },
          {
            Name: "example.com.",
            Type: "SOA",
            TTL: 900,
            ResourceRecords: [{ Value: "ns-1. hostmaster. 1 2 3 4 5" }],
          },
          {
            Name: "\\052.example.com.",
            Type: "CNAME",
            TTL: 60,
            ResourceRecords: [{ Value: "Edge.Botgate.net." }],
          },
        ],
        IsTruncated: true,
        NextRecordName: "_botgate.example.com.",
        NextRecordType: "TXT",
      })
      .resolvesOnce({
        ResourceRecordSets: [
          {
            Name: "_botgate.example.com.",
            Type: "TXT",
            TTL: 300,
            ResourceRecords: [{ Value: '"tok" "en"' }],
          },
          { Name: "sub.example.com.", Type: "NS", TTL: 300, ResourceRecords: [{ Value: "ns.other.net." }] },
        ],
        IsTruncated: false,
      });
    expect(await dns.listRecords("ZNEW1")).toEqual([
      { name: "*.example.com", type: "CNAME", values: ["edge.botgate.net"], ttl: 60 },
      { name: "_botgate.example.com", type: "TXT", values: ["token"], ttl: 300 },
      { name: "sub.example.com", type: "NS", values: ["ns.other.net"], ttl: 300 },
    ]);
    expect(mock).toHaveReceivedNthCommandWith(ListResourceRecordSetsCommand, 2, {
      HostedZoneId: "ZNEW1",
      StartRecordName: "_botgate.example.com.",
      StartRecordType: "TXT",
    });
  });

  it("deletes a zone by deleting its records first, and ignores a zone that is gone", async () => {
    mock.on(GetHostedZoneCommand, { Id: "ZNEW1" }).resolves(zoneAnswer("ZNEW1", "example.com", "domain-1"));
    mock.on(ListResourceRecordSetsCommand).resolves({
      ResourceRecordSets: [
        {
          Name: "example.com.",
          Type: "NS",
          TTL: 172800,
          ResourceRecords: [{ Value: "ns-1.awsdns-01.com." }],
        },
        { Name: "example.com.", Type: "SOA", TTL: 900, ResourceRecords: [{ Value: "soa" }] },
        { Name: "www.example.com.", Type: "A", TTL: 60, ResourceRecords: [{ Value: "192.0.2.1" }] },
      ],
      IsTruncated: false,
    });
    mock.on(ChangeResourceRecordSetsCommand).resolves({});
    mock.on(DeleteHostedZoneCommand).resolves({});
    await dns.deleteZone("ZNEW1");
    expect(mock).toHaveReceivedCommandExactlyOnceWith(ChangeResourceRecordSetsCommand, {
      HostedZoneId: "ZNEW1",
      ChangeBatch: {
        Comment: "botgate",
        Changes: [
          {
            Action: "DELETE",
            ResourceRecordSet: {
              Name: "www.example.com.",
              Type: "A",
              TTL: 60,
              ResourceRecords: [{ Value: "192.0.2.1" }],
            },
          },
        ],
      },
    });
    expect(mock).toHaveReceivedCommandExactlyOnceWith(DeleteHostedZoneCommand, { Id: "ZNEW1" });

    mock.reset();
    mock.on(GetHostedZoneCommand).rejects(new NoSuchHostedZone({ message: "gone", ...meta }));
    await dns.deleteZone("ZNEW1");
    expect(mock).toHaveReceivedCommandTimes(DeleteHostedZoneCommand, 0);
  });

  it("answers the platform zone from GetHostedZone of the configured id", async () => {
    mock
      .on(GetHostedZoneCommand, { Id: "ZPLATFORM1" })
      .resolves(zoneAnswer("ZPLATFORM1", "api.botgate.net", "x"));
    expect(await dns.platformZone()).toMatchObject({ id: "ZPLATFORM1", name: "api.botgate.net" });
    await expect(dns.deleteZone("ZPLATFORM1")).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("types a failure the SDK's retries did not get past, naming the operation", async () => {
    mock
      .on(ChangeResourceRecordSetsCommand)
      .rejects(new ThrottlingException({ message: "Rate exceeded", ...meta }));
    await expect(
      dns.upsertRecords("ZNEW1", [{ name: "a.example.com", type: "A", values: ["192.0.2.1"], ttl: 60 }]),
    ).rejects.toMatchObject({
      code: "BAD_GATEWAY",
      message: "AWS ChangeResourceRecordSets failed (ThrottlingException): Rate exceeded",
      details: { provider: "aws", awsError: "ThrottlingException" },
    });
    mock.on(ChangeResourceRecordSetsCommand).rejects(new NoSuchHostedZone({ message: "no", ...meta }));
    await expect(
      dns.upsertRecords("ZNEW1", [{ name: "a.example.com", type: "A", values: ["192.0.2.1"], ttl: 60 }]),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
