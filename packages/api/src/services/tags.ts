import type { Prisma } from "@botgate/db";

/** Tags by name, created as needed. ON CONFLICT DO NOTHING: concurrent callers never collide. */
export async function tagsByName(
  tx: Prisma.TransactionClient,
  names: readonly string[],
): Promise<{ id: number }[]> {
  const unique = [...new Set(names)];
  if (unique.length === 0) return [];
  await tx.tag.createMany({ data: unique.map((name) => ({ name })), skipDuplicates: true });
  return tx.tag.findMany({ where: { name: { in: unique } }, select: { id: true } });
}
