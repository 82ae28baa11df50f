// `date_calculator`: calendar arithmetic with date-fns. Dates are wall-clock values without
// a time zone ("2026-12-02" or "2026-12-02T14:30[:00]"), read and written in that form, so a
// result never depends on the server's zone; anything else is refused by the schema.
import {
  add,
  type Duration,
  differenceInCalendarDays,
  differenceInHours,
  differenceInMinutes,
  differenceInMonths,
  differenceInWeeks,
  differenceInYears,
  format,
  isValid,
  sub,
} from "date-fns";
import { z } from "zod";
import { parseArguments } from "./arguments.ts";
import { type ChatFunction, errorResult } from "./types.ts";

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** A wall-clock date in the local calendar, or null for anything not a real date. */
export function parseWallClock(text: string): { date: Date; hasTime: boolean } | null {
  const m = DATE_PATTERN.exec(text);
  if (m === null) return null;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m
    .slice(1)
    .map((p) => (p === undefined ? 0 : Number(p)));
  const date = new Date(year ?? 0, (month ?? 1) - 1, day ?? 1, hour, minute, second);
  date.setFullYear(year ?? 0); // years below 100 would otherwise mean 19xx
  // new Date() rolls 2026-02-30 over to March: a date that does not round-trip is not real.
  if (
    !isValid(date) ||
    date.getMonth() !== (month ?? 1) - 1 ||
    date.getDate() !== day ||
    date.getHours() !== hour ||
    date.getMinutes() !== minute
  ) {
    return null;
  }
  return { date, hasTime: m[4] !== undefined };
}

const dateText = z
  .string()
  .max(19)
  .refine(
    (text) => parseWallClock(text) !== null,
    "Must be a real date as YYYY-MM-DD or YYYY-MM-DDTHH:mm[:ss] (no time zone).",
  );

const amount = z.number().int().min(-100_000).max(100_000);
const durationSchema = z
  .strictObject({
    years: amount.optional(),
    months: amount.optional(),
    weeks: amount.optional(),
    days: amount.optional(),
    hours: amount.optional(),
    minutes: amount.optional(),
    seconds: amount.optional(),
  })
  .refine(
    (d) => Object.keys(d).length > 0,
    "Give at least one of years, months, weeks, days, hours, minutes, seconds.",
  );

const UNITS = ["days", "weeks", "months", "years", "hours", "minutes"] as const;

const argumentsSchema = z.discriminatedUnion("operation", [
  z.strictObject({ operation: z.enum(["add", "subtract"]), date: dateText, duration: durationSchema }),
  z.strictObject({
    operation: z.literal("difference"),
    from: dateText,
    to: dateText,
    unit: z.enum(UNITS).default("days"),
  }),
  z.strictObject({ operation: z.literal("weekday"), date: dateText }),
]);

const DIFFERENCE: Record<(typeof UNITS)[number], (to: Date, from: Date) => number> = {
  days: differenceInCalendarDays,
  weeks: differenceInWeeks,
  months: differenceInMonths,
  years: differenceInYears,
  hours: differenceInHours,
  minutes: differenceInMinutes,
};

function wallClock(text: string): { date: Date; hasTime: boolean } {
  // The schema already checked it.
  return parseWallClock(text) as { date: Date; hasTime: boolean };
}

const formatOut = (date: Date, withTime: boolean) =>
  format(date, withTime ? "yyyy-MM-dd'T'HH:mm:ss" : "yyyy-MM-dd");

export const dateCalculator: ChatFunction = {
  name: "date_calculator",
  definition: {
    type: "function",
    function: {
      name: "date_calculator",
      description:
        "Calendar arithmetic. operation 'add' or 'subtract': a duration to or from a date; 'difference': whole units between two dates (to minus from); 'weekday': the day of the week of a date. Dates are YYYY-MM-DD or YYYY-MM-DDTHH:mm[:ss], without a time zone.",
      parameters: {
        type: "object",
        properties: {
          operation: { type: "string", enum: ["add", "subtract", "difference", "weekday"] },
          date: { type: "string", description: "For add, subtract and weekday." },
          duration: {
            type: "object",
            description: "For add and subtract: whole numbers of any of these units.",
            properties: Object.fromEntries(
              ["years", "months", "weeks", "days", "hours", "minutes", "seconds"].map((u) => [
                u,
                { type: "integer" },
              ]),
            ),
            additionalProperties: false,
          },
          from: { type: "string", description: "For difference." },
          to: { type: "string", description: "For difference." },
          unit: { type: "string", enum: [...UNITS], description: "For difference; days by default." },
        },
        required: ["operation"],
        additionalProperties: false,
      },
    },
  },
  async execute(argumentsJson) {
    const args = parseArguments(argumentsSchema, argumentsJson);
    if (!args.ok) return args.result;
    const input = args.value;
    switch (input.operation) {
      case "add":
      case "subtract": {
        const { date, hasTime } = wallClock(input.date);
        const duration = input.duration as Duration;
        const result = input.operation === "add" ? add(date, duration) : sub(date, duration);
        if (!isValid(result) || Math.abs(result.getFullYear()) > 99_999) {
          return errorResult("evaluation_failed", "The result is outside the supported range of dates.");
        }
        const withTime = hasTime || ["hours", "minutes", "seconds"].some((u) => u in input.duration);
        return JSON.stringify({ result: formatOut(result, withTime), weekday: format(result, "EEEE") });
      }
      case "difference": {
        const value = DIFFERENCE[input.unit](wallClock(input.to).date, wallClock(input.from).date);
        return JSON.stringify({ result: value, unit: input.unit });
      }
      case "weekday": {
        const { date } = wallClock(input.date);
        return JSON.stringify({ date: input.date, weekday: format(date, "EEEE") });
      }
    }
  },
};
