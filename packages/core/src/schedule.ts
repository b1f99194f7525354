/**
 * How a schedule is made: an unchecked kernel (pos already in [0, 1]) wrapped once in a function that
 * checks pos and carries `toJSON`. Combinators call their pieces' kernels directly, so the position is
 * checked once per call however deep the composition is.
 */
import { fail, ScheduleError } from "./errors.js";
import type { Hyper, Schedule, ScheduleSpec } from "./types.js";

/** A schedule body that trusts its caller: pos is a number in [0, 1]. */
export type Kernel<T extends Hyper = Hyper> = (pos: number) => T;

/**
 * How far outside [0, 1] a position may stray and still be accepted (clamped): float accumulation of
 * `pctTrain` or of cumulative pcts is many orders of magnitude smaller than this.
 */
export const POS_TOLERANCE = 1e-9;

/** Positions closer than this to a boundary count as being on it (see combineScheds). */
export const BOUNDARY_TOLERANCE = 1e-12;

const KERNEL: unique symbol = Symbol("@sched/core.kernel");

function badPos(where: string, pos: unknown): never {
  fail(where, "pos", pos, "a finite number in [0, 1]");
}

/** Wraps a kernel as a public schedule named `where`, whose `toJSON` is `spec`. */
export function makeSchedule<T extends Hyper>(
  where: string,
  kernel: Kernel<T>,
  spec: () => ScheduleSpec,
): Schedule<T> {
  const schedule = (pos: number): T => {
    if (typeof pos === "number" && pos >= 0 && pos <= 1) return kernel(pos);
    if (typeof pos === "number" && pos >= -POS_TOLERANCE && pos <= 1 + POS_TOLERANCE) {
      return kernel(pos < 0 ? 0 : 1);
    }
    return badPos(where, pos);
  };
  Object.defineProperty(schedule, "name", { value: where });
  Object.defineProperty(schedule, KERNEL, { value: kernel });
  return Object.assign(schedule, { toJSON: spec });
}

/** The unchecked kernel of one of our schedules, or the function itself for a foreign one. */
export function kernelOf<T extends Hyper>(s: Schedule<T>): Kernel<T> {
  return (s as unknown as { [KERNEL]?: Kernel<T> })[KERNEL] ?? s;
}

/** Checks that `s` can be called as a schedule. */
export function scheduleArg(where: string, arg: string, s: unknown): Schedule {
  if (typeof s !== "function") fail(where, arg, s, "a schedule (a function of pos with toJSON)");
  return s as Schedule;
}

/** The spec of a piece, or a clear error when it cannot serialize. */
export function specOf(where: string, arg: string, s: Schedule): ScheduleSpec {
  if (typeof s.toJSON !== "function") {
    throw new ScheduleError(
      `${where}: ${arg} has no toJSON(), so this schedule cannot serialize (build pieces with @sched/core factories or give them a toJSON)`,
      { argument: arg },
    );
  }
  return s.toJSON();
}

/** Number of parameter groups a value has: 0 for a scalar. */
export function groupsOfValue(where: string, arg: string, v: unknown): number {
  if (typeof v === "number") return 0;
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "number")) return v.length;
  return fail(where, arg, v, "a schedule returning a number or a non-empty array of numbers");
}
