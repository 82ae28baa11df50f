// Who a request is counted as: the IPv4 address, the /64 of an IPv6 address however it is
// written, and one shared key for requests without an address.
import { describe, expect, it } from "vitest";
import { clientKeyOf, NO_CLIENT_IP } from "../src/index.ts";

describe("clientKeyOf", () => {
  it.each([
    ["198.51.100.7", "198.51.100.7"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:0db8:0001:0002:ffff::1", "2001:db8:1:2::/64"],
    ["2001:DB8:1:2::", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["::ffff:192.0.2.1", "192.0.2.1"],
    ["", NO_CLIENT_IP],
  ])("counts %j as %j", (ip, key) => {
    expect(clientKeyOf(ip)).toBe(key);
  });

  it("gives two addresses of one /64 one key, and the next /64 another", () => {
    expect(clientKeyOf("2001:db8:1:2::1")).toBe(clientKeyOf("2001:db8:1:2:aaaa:bbbb:cccc:dddd"));
    expect(clientKeyOf("2001:db8:1:3::1")).not.toBe(clientKeyOf("2001:db8:1:2::1"));
  });
});
