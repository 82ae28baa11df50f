// The admin API's procedures, as the router itself lists them.
import { appRouter } from "@botgate/api";

export const PROCEDURES = Object.keys(appRouter._def.procedures).sort();
