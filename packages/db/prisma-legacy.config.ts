// Prisma 6.19's CLI, used only to render SQL from schema.prisma offline: with engine "js"
// its schema engine ships as WASM. A diff between two datamodels never opens a connection,
// but the CLI insists on an adapter. See src/schema-sql.ts.
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma-legacy/config";

export default defineConfig({
  engine: "js",
  experimental: { adapter: true },

  adapter: async () => new PrismaPg({ connectionString: process.env.SCHEMA_SQL_DATABASE_URL }),
});
