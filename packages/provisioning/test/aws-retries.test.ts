// Throttling is retried by the SDK itself, up to maxAttempts: a real Route53Client against a
// local HTTP server that answers Route53's XML (no mock of `send`).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAwsProvisioning } from "../src/index.ts";

let server: Server;
let endpoint: string;
let throttleFirst = 0;
let requests: string[] = [];

const THROTTLED = `<?xml version="1.0"?>
<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r1</RequestId></ErrorResponse>`;
const ZONE = `<?xml version="1.0"?>
<GetHostedZoneResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZone><Id>/hostedzone/ZPLATFORM1</Id><Name>api.botgate.net.</Name><CallerReference>ref</CallerReference><Config><PrivateZone>false</PrivateZone></Config><ResourceRecordSetCount>2</ResourceRecordSetCount></HostedZone><DelegationSet><NameServers><NameServer>ns-1.awsdns-01.com</NameServer><NameServer>ns-2.awsdns-02.net</NameServer></NameServers></DelegationSet></GetHostedZoneResponse>`;

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    request.resume();
    const throttled = throttleFirst > 0;
    if (throttled) throttleFirst -= 1;
    response.writeHead(throttled ? 400 : 200, { "content-type": "text/xml" });
    response.end(throttled ? THROTTLED : ZONE);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
beforeEach(() => {
  requests = [];
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function provisioning(maxAttempts: number) {
  return createAwsProvisioning({
    region: "us-east-1",
    platformHostedZoneId: "ZPLATFORM1",
    credentials: {
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    },
    maxAttempts,
    endpoint,
  });
}

describe("AWS throttling", () => {
  it("is retried by the SDK until an attempt succeeds", async () => {
    throttleFirst = 2;
    const aws = provisioning(3);
    try {
      expect(await aws.dns.platformZone()).toEqual({
        id: "ZPLATFORM1",
        name: "api.botgate.net",
        nameServers: ["ns-1.awsdns-01.com", "ns-2.awsdns-02.net"],
      });
      expect(requests).toEqual(Array(3).fill("GET /2013-04-01/hostedzone/ZPLATFORM1"));
    } finally {
      await aws.close();
    }
  });

  it("surfaces as a typed failure once maxAttempts are spent", async () => {
    throttleFirst = 5;
    const aws = provisioning(2);
    try {
      await expect(aws.dns.platformZone()).rejects.toMatchObject({
        code: "BAD_GATEWAY",
        message: "AWS GetHostedZone failed (Throttling): Rate exceeded",
      });
      expect(requests).toHaveLength(2);
    } finally {
      throttleFirst = 0;
      await aws.close();
    }
  });
});
