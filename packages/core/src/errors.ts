/** Why a schedule could not be built, serialized, rebuilt or evaluated. */
export interface ScheduleErrorDetails {
  /** The argument (or spec field path) that was rejected, e.g. `pcts[1]` or `spec.scheds[0].start`. */
  readonly argument?: string;
  /** The rejected value, as received. */
  readonly value?: unknown;
}

/** The one error type of @sched/core: its message names the argument and the value it rejected. */
export class ScheduleError extends Error {
  override readonly name = "ScheduleError";
  readonly argument: string | undefined;
  readonly value: unknown;
  constructor(message: string, details: ScheduleErrorDetails = {}) {
    super(message);
    this.argument = details.argument;
    this.value = details.value;
  }
}

/** A short, unambiguous rendering of a value for error messages (NaN, -Infinity, strings quoted). */
export function fmt(v: unknown): string {
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (v === undefined) return "undefined";
  if (typeof v === "function") return "a function";
  if (Array.isArray(v)) {
    const head = v.slice(0, 8).map(fmt).join(", ");
    return `[${head}${v.length > 8 ? `, … (${v.length} items)` : ""}]`;
  }
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Throws the standard "`where`: `argument` must be `expected`, got `value`" error. */
export function fail(where: string, argument: string, value: unknown, expected: string): never {
  throw new ScheduleError(`${where}: ${argument} must be ${expected}, got ${fmt(value)}`, {
    argument,
    value,
  });
}
