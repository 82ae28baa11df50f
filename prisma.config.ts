// Prisma 7 CLI configuration: used by `prisma generate` (scripts/setup.mjs) and by
// `prisma migrate deploy` in production. Development and tests migrate through
// packages/db's runner instead (see README, "Migrations").
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" },
});
