export {
  createDatabaseClient,
  type DatabaseClient,
  type DatabaseClientOptions,
  databasePoolOf,
} from "./client.ts";
export { type EmbeddedPostgres, startEmbeddedPostgres } from "./embedded.ts";
export { createFreshDatabase, type FreshDatabase } from "./fresh-database.ts";
export * from "./generated/prisma/client.ts";
export { type Migration, type MigrationResult, migrate, readMigrations } from "./migrate.ts";
export { migrationsDir, repositoryRoot, schemaPath } from "./paths.ts";
export * from "./statuses.ts";
