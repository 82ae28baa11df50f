export const embeddedDatabaseNodeFlags: string[];
