/**
 * Argument checks shared by the policies. Each throws a PolicyError "`where`: `arg` must be …, got
 * `value`" before anything is changed on the learner.
 */

import type { Hyper } from "@sched/core";
import { type HyperValue, isLrSlice, type Learner, type Optimizer, spreadHyper } from "@sched/learner";
import { PolicyError } from "./errors.js";

/** A short rendering of a value for messages. */
export function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
  if (isLrSlice(v)) return v.start === undefined ? `lrSlice(${v.stop})` : `lrSlice(${v.start}, ${v.stop})`;
  if (v !== null && typeof v === "object") {
    try {
      return JSON.stringify(v);
    } catch {
      return String(v);
    }
  }
  return Object.is(v, -0) ? "-0" : String(v);
}

function fail(where: string, arg: string, expected: string, value: unknown): never {
  throw new PolicyError(`${where}: ${arg} must be ${expected}, got ${show(value)}`);
}

/** An integer >= `min` (a safe integer: epochs are counted). */
export function integer(where: string, arg: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
    fail(where, arg, min === 1 ? "a positive integer" : `an integer >= ${min}`, value);
  }
  return value;
}

/** A finite number > 0. */
export function positive(where: string, arg: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    fail(where, arg, "a finite number > 0", value);
  }
  return value;
}

/** A fraction strictly inside (0, 1). */
export function openFraction(where: string, arg: string, value: unknown): number {
  if (typeof value !== "number" || !(value > 0 && value < 1)) fail(where, arg, "a number in (0, 1)", value);
  return value;
}

/** `startEpoch`: an integer in [0, nEpoch). */
export function startEpochOf(where: string, value: unknown, nEpoch: number): number {
  if (value === undefined) return 0;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value >= nEpoch) {
    fail(where, "startEpoch", `an integer in [0, nEpoch) = [0, ${nEpoch})`, value);
  }
  return value;
}

/** Momentum start, minimum and end: three numbers in [0, 1). */
export function momsOf(where: string, value: unknown): [number, number, number] {
  if (
    !Array.isArray(value) ||
    value.length !== 3 ||
    !value.every((m) => typeof m === "number" && m >= 0 && m < 1)
  ) {
    fail(where, "moms", "3 numbers in [0, 1) (start, minimum, end)", value);
  }
  return [value[0], value[1], value[2]];
}

/** Optional flags and callback lists. */
export function optionalBoolean(where: string, arg: string, value: unknown): void {
  if (value !== undefined && typeof value !== "boolean") fail(where, arg, "a boolean", value);
}

export function optionalArray(where: string, arg: string, value: unknown): void {
  if (value !== undefined && !Array.isArray(value)) fail(where, arg, "an array of callbacks", value);
}

/**
 * One value per parameter group from a number, a per-group array (exactly one value per group) or an
 * lrSlice, each value checked by `ok` (described by `expected`).
 */
export function perGroupValues(
  where: string,
  arg: string,
  value: HyperValue | Hyper,
  nGroups: number,
  expected: string,
  ok: (v: number) => boolean,
): number[] {
  if (Array.isArray(value) && value.length !== nGroups) {
    throw new PolicyError(
      `${where}: ${arg} has ${value.length} value${value.length === 1 ? "" : "s"} ${show(value)} but the learner has ${nGroups} parameter group(s); give one per group`,
    );
  }
  let values: number[];
  try {
    values = spreadHyper(arg, value as HyperValue, nGroups);
  } catch {
    fail(where, arg, `${expected}, an array of them (one per group) or an lrSlice`, value);
  }
  if (!values.every(ok)) fail(where, arg, expected, value);
  return values;
}

/** Learning rates, one per group: finite and > 0. */
export function lrsOf(where: string, arg: string, value: HyperValue, nGroups: number): number[] {
  return perGroupValues(
    where,
    arg,
    value,
    nGroups,
    "a finite number > 0",
    (v) => Number.isFinite(v) && v > 0,
  );
}

/** Checks `wd` if given (finite, >= 0, one value or one per group). */
export function checkWd(where: string, value: Hyper | undefined, nGroups: number): void {
  if (value === undefined) return;
  perGroupValues(where, "wd", value, nGroups, "a finite number >= 0", (v) => Number.isFinite(v) && v >= 0);
}

/**
 * Runs `use(opt)` with the learner's optimizer, creating it first if missing (as the reference does);
 * if `use` throws, an optimizer created here is dropped again, so a rejected call changes nothing.
 */
export function withOptimizer<T>(learn: Learner, use: (opt: Optimizer) => T): T {
  const created = !learn.opt;
  const opt = learn.opt ?? learn.createOpt();
  try {
    return use(opt);
  } catch (e) {
    if (created) {
      opt.dispose();
      learn.opt = undefined;
    }
    throw e;
  }
}
