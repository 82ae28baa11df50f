import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const schemaPath = join(repositoryRoot, "prisma", "schema.prisma");
export const migrationsDir = join(repositoryRoot, "prisma", "migrations");
