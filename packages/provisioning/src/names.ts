// Names compare case-insensitively and without the trailing dot, everywhere.

export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.+$/, "");
}

/** True when `name` is `zone` or below it. */
export function isInZone(name: string, zone: string): boolean {
  const n = normalizeName(name);
  const z = normalizeName(zone);
  return n === z || n.endsWith(`.${z}`);
}

/** Splits a TXT value into the 255-character strings DNS (and Route53) carry. */
export function splitTxt(value: string): string[] {
  if (value.length <= 255) return [value];
  const chunks: string[] = [];
  for (let offset = 0; offset < value.length; offset += 255) chunks.push(value.slice(offset, offset + 255));
  return chunks;
}
