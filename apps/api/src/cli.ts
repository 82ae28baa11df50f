// Operator CLI: `pnpm botgate <command>` (or `npm run botgate -- <command>`).
// Reads the same environment as the API process, so it acts on the configured database:
// DATABASE_URL directly, or the embedded one under DATA_DIR. While an API (`npm run dev`)
// holds the embedded database, which serves one connection only, the command runs inside that
// API on its connection (routes/operator.ts), exactly as it would here.
import { AsyncLocalStorage } from "node:async_hooks";
import { realpathSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  addMember,
  bootstrapAccount,
  createTokenFor,
  type RoutingServices,
  reactivateAccount,
  removeMemberByUsername,
  revokeAdminToken,
  suspendAccount,
} from "@botgate/api";
import type { RouteStore } from "@botgate/cache";
import { BotgateError } from "@botgate/core";
import { createDatabaseClient, type DatabaseClient, migrate } from "@botgate/db";
import { type Env, EnvError, parseEnv } from "./env.ts";
import { openJobsOf } from "./jobs.ts";
import { findRunningOperator, operatorFile } from "./operator/endpoint-file.ts";
import { runOnOperatorEndpoint } from "./operator/remote.ts";
import { createRouteStore, openDatabase, platformConfigOf } from "./runtime.ts";

const USAGE = `usage: botgate <command> [options]

commands:
  migrate                                   apply pending migrations
  bootstrap [--username U] [--company C]    create an account, its admin user and an admin token
  member add --account N --username U [--admin]
                                            add a user to an account, with a token
  member remove --account N --username U   remove a member and their tokens (not the last admin,
                                            not while they own chatbots or custom domains)
  token create --account N --username U [--name X] [--expires-in-days D]
                                            create another admin API token (expires in 90 days
                                            unless told, at most 365)
  token revoke --id N                       revoke an admin API token (its id is printed at creation)
  account suspend --account N               stop serving the account: its chatbots answer like
                                            unknown ones, its tokens and API keys are refused
  account activate --account N              serve a suspended account again

options:
  --json                                    print the result as JSON
`;

type Command = (args: string[]) => Promise<unknown>;

/** What the API lends a command it runs for the CLI (runCommandInApi): its database and routing cache. */
export interface ApiResources {
  db: DatabaseClient;
  url: string;
  routes: RouteStore;
}

const apiDatabase = new AsyncLocalStorage<ApiResources>();

let env: Env | undefined;

async function withDatabase<T>(
  fn: (db: DatabaseClient, url: string) => Promise<T>,
  { queuesJobs = true }: { queuesJobs?: boolean } = {},
) {
  const shared = apiDatabase.getStore();
  if (shared) return fn(shared.db, shared.url);
  env ??= parseEnvOrExit();
  const database = await openDatabase(env);
  const db = createDatabaseClient(database.url, { maxConnections: database.maxConnections });
  // Commands record events, whose webhook deliveries are queued as jobs (no worker here).
  const jobs = queuesJobs ? await openJobsOf(env, db, false) : null;
  try {
    return await fn(db, database.url);
  } finally {
    await jobs?.close();
    await db.$disconnect();
    await database.close();
  }
}

/** The database and the routing cache, for commands that change routing (write-through). */
function withRouting<T>(fn: (services: RoutingServices) => Promise<T>) {
  const shared = apiDatabase.getStore();
  return withDatabase(async (db) => {
    env ??= parseEnvOrExit();
    const config = platformConfigOf(env);
    if (shared) return fn({ db, routes: shared.routes, config, logger: console });
    const closers: (() => Promise<void>)[] = [];
    try {
      const { routes, routeCache } = await createRouteStore(env, closers);
      if (routeCache.kind === "memory") {
        console.error(
          "botgate: no routing cache configured (UPSTASH_REDIS_REST_URL/_TOKEN or REDIS_URL): routes already " +
            "cached are not rewritten; the origin and /internal/resolve follow the database at once",
        );
      }
      return await fn({ db, routes, config, logger: console });
    } finally {
      for (const close of closers.reverse()) await close().catch(() => {});
    }
  });
}

const accountOption = { account: { type: "string" } } as const;

export const commands: Record<string, Command> = {
  migrate: () => withDatabase((_db, url) => migrate(url), { queuesJobs: false }),
  bootstrap: (args) => {
    const { values } = parseArgs({
      args,
      options: { username: { type: "string", default: "admin" }, company: { type: "string", default: "" } },
    });
    return withDatabase((db) =>
      bootstrapAccount(db, { username: values.username, companyName: values.company }),
    );
  },
  "member add": (args) => {
    const { values } = parseArgs({
      args,
      options: {
        account: { type: "string" },
        username: { type: "string" },
        admin: { type: "boolean", default: false },
      },
    });
    return withDatabase((db) =>
      addMember(db, {
        accountNumber: required(values.account, "--account"),
        username: required(values.username, "--username"),
        isAccountAdmin: values.admin,
      }),
    );
  },
  "token create": (args) => {
    const { values } = parseArgs({
      args,
      options: {
        account: { type: "string" },
        username: { type: "string" },
        name: { type: "string" },
        "expires-in-days": { type: "string" },
      },
    });
    const days = values["expires-in-days"];
    return withDatabase((db) =>
      createTokenFor(db, {
        accountNumber: required(values.account, "--account"),
        username: required(values.username, "--username"),
        ...(values.name === undefined ? {} : { name: values.name }),
        ...(days === undefined ? {} : { expiresInDays: Number(days) }),
      }),
    );
  },
  "member remove": (args) => {
    const { values } = parseArgs({
      args,
      options: { account: { type: "string" }, username: { type: "string" } },
    });
    return withDatabase((db) =>
      removeMemberByUsername(db, {
        accountNumber: required(values.account, "--account"),
        username: required(values.username, "--username"),
      }),
    );
  },
  "account suspend": (args) => {
    const { values } = parseArgs({ args, options: accountOption });
    return withRouting((services) => suspendAccount(services, required(values.account, "--account")));
  },
  "account activate": (args) => {
    const { values } = parseArgs({ args, options: accountOption });
    return withRouting((services) => reactivateAccount(services, required(values.account, "--account")));
  },
  "token revoke": (args) => {
    const { values } = parseArgs({ args, options: { id: { type: "string" } } });
    const id = Number(required(values.id, "--id"));
    if (!Number.isSafeInteger(id) || id < 1) throw new BotgateError("BAD_REQUEST", "--id must be a token id");
    return withDatabase(async (db) => {
      if (!(await revokeAdminToken(db, id)))
        throw new BotgateError("NOT_FOUND", `no active token with id ${id}`);
      return { id, revoked: true };
    });
  },
};

function required(value: string | undefined, flag: string): string {
  if (!value) throw new BotgateError("BAD_REQUEST", `${flag} is required`);
  return value;
}

function parseEnvOrExit() {
  try {
    return parseEnv(process.env);
  } catch (error) {
    console.error(error instanceof EnvError ? error.message : error);
    process.exit(2);
  }
}

/** The command an operator asked for, by its one- or two-word name, and its arguments. */
function findCommand(args: string[]): { name: string; rest: string[] } {
  const two = `${args[0]} ${args[1]}`;
  return commands[two] ? { name: two, rest: args.slice(2) } : { name: args[0] ?? "", rest: args.slice(1) };
}

/**
 * The failures an operator can act on, as BotgateErrors (null: a bug, worth its stack trace).
 * Shared with the operator endpoint, so a command run by the API fails the same way.
 */
export function operatorError(error: unknown): BotgateError | null {
  if (error instanceof BotgateError) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
    return new BotgateError("BAD_REQUEST", (error as Error).message);
  }
  if (code === "P2021") {
    return new BotgateError(
      "UNAVAILABLE",
      "the database has no botgate tables yet: run `botgate migrate` (or `prisma migrate deploy`) first",
    );
  }
  return null;
}

/** Runs a command inside the API process, on the API's database connection. */
export async function runCommandInApi(
  database: ApiResources,
  name: string,
  args: string[],
): Promise<unknown> {
  const command = commands[name];
  if (!command) throw new BotgateError("NOT_FOUND", `no command ${JSON.stringify(name)}`);
  // The migration runner opens a connection of its own, which the embedded database cannot
  // serve beside the API's; the API applies migrations when it starts.
  if (name === "migrate") {
    throw new BotgateError(
      "CONFLICT",
      "the running API holds the embedded database and applied its migrations when it started; " +
        "stop it to run `botgate migrate`",
    );
  }
  return apiDatabase.run(database, () => command(args));
}

async function main(argv: string[]) {
  const json = argv.includes("--json");
  const { name, rest } = findCommand(argv.filter((a) => a !== "--json"));
  const command = commands[name];
  if (!command) {
    console.error(USAGE);
    process.exit(2);
  }
  env = parseEnvOrExit();
  try {
    const api = env.DATABASE_URL ? null : await findRunningOperator(operatorFile(env));
    const result = api ? await runOnOperatorEndpoint(api, name, rest) : await command(rest);
    console.log(json ? JSON.stringify(result) : result);
  } catch (error) {
    const known = operatorError(error);
    const message = known?.message ?? (error instanceof Error ? error.message : String(error));
    if (json) console.log(JSON.stringify({ error: { code: known?.code ?? "INTERNAL", message } }));
    else console.error(`botgate ${name}: ${message}`);
    if (!known) console.error(error);
    process.exit(1);
  }
}

// Only as a program: the API imports the command table (runCommandInApi).
if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === import.meta.filename) {
  await main(process.argv.slice(2));
}
