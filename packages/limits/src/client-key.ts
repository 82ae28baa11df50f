// Who a request is counted as: its IPv4 address, or the /64 of its IPv6 address (one
// subscriber usually holds a whole /64, and would otherwise have 2^64 budgets).

/** Requests without a usable client address all share this one key. */
export const NO_CLIENT_IP = "no-ip";

export function clientKeyOf(ip: string): string {
  if (ip === "") return NO_CLIENT_IP;
  if (!ip.includes(":")) return ip;
  // IPv4-mapped IPv6 (::ffff:192.0.2.1) is the IPv4 client.
  const dotted = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(ip);
  if (dotted?.[1] !== undefined) return dotted[1];
  const [head = "", tail] = ip.toLowerCase().split("::", 2);
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros = tail === undefined ? 0 : Math.max(0, 8 - headGroups.length - tailGroups.length);
  const groups = [...headGroups, ...Array<string>(zeros).fill("0"), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
