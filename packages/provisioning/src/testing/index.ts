// Test helpers other packages use: `@botgate/provisioning/testing`.
export {
  startTestDnsServer,
  type TestDnsBehaviour,
  type TestDnsServer,
  type TestRecords,
} from "./dns-server.ts";
