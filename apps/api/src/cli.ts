// Operator CLI: `pnpm botgate <command>` (or `npm run botgate -- <command>`).
// Reads the same environment as the API process, so it acts on the configured database
// (the embedded one under .data/ when DATABASE_URL is unset, even while `npm run dev` runs).
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
import { BotgateError } from "@botgate/core";
import { createDatabaseClient, migrate } from "@botgate/db";
import { EnvError, parseEnv } from "./env.ts";
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

const env = parseEnvOrExit();

async function withDatabase<T>(fn: (db: ReturnType<typeof createDatabaseClient>, url: string) => Promise<T>) {
  const database = await openDatabase(env);
  const db = createDatabaseClient(database.url, { maxConnections: database.maxConnections });
  try {
    return await fn(db, database.url);
  } finally {
    await db.$disconnect();
    await database.close();
  }
}

/** The database and the routing cache, for commands that change routing (write-through). */
function withRouting<T>(fn: (services: RoutingServices) => Promise<T>) {
  return withDatabase(async (db) => {
    const closers: (() => Promise<void>)[] = [];
    try {
      const { routes, routeCache } = await createRouteStore(env, closers);
      if (routeCache.kind === "memory") {
        console.error(
          "botgate: no routing cache configured (UPSTASH_REDIS_REST_URL/_TOKEN or REDIS_URL): routes already " +
            "cached are not rewritten; the origin and /internal/resolve follow the database at once",
        );
      }
      return await fn({ db, routes, config: platformConfigOf(env), logger: console });
    } finally {
      for (const close of closers.reverse()) await close().catch(() => {});
    }
  });
}

const accountOption = { account: { type: "string" } } as const;

const commands: Record<string, Command> = {
  migrate: () => withDatabase((_db, url) => migrate(url)),
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

async function main(argv: string[]) {
  const json = argv.includes("--json");
  const args = argv.filter((a) => a !== "--json");
  const two = `${args[0]} ${args[1]}`;
  const [name, rest] = commands[two] ? [two, args.slice(2)] : [args[0] ?? "", args.slice(1)];
  const command = commands[name];
  if (!command) {
    console.error(USAGE);
    process.exit(2);
  }
  try {
    const result = await command(rest);
    console.log(json ? JSON.stringify(result) : result);
  } catch (error) {
    const known =
      error instanceof BotgateError || (error as { code?: string }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION";
    const notMigrated = (error as { code?: string }).code === "P2021";
    const message = notMigrated
      ? "the database has no botgate tables yet: run `botgate migrate` (or `prisma migrate deploy`) first"
      : error instanceof Error
        ? error.message
        : String(error);
    if (json)
      console.log(JSON.stringify({ error: { code: (error as BotgateError).code ?? "INTERNAL", message } }));
    else console.error(`botgate ${name}: ${message}`);
    if (!known && !notMigrated) console.error(error);
    process.exit(1);
  }
}

await main(process.argv.slice(2));
