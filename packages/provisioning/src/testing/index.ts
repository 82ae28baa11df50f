// Test helpers other packages use: `@botgate/provisioning/testing`.
export {
  type AwsFake,
  type AwsFakeOptions,
  type AwsFakeState,
  createAwsFake,
  type FakeCertificate,
  type FakeZone,
} from "./aws-fake.ts";
export {
  startTestDnsServer,
  type TestDnsBehaviour,
  type TestDnsServer,
  type TestRecords,
} from "./dns-server.ts";
