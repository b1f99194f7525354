/** Argument validation shared by every factory: each check names the function, the argument and the value. */
import { fail } from "./errors.js";
import type { Hyper } from "./types.js";

/** A finite number (-0 becomes 0, so specs survive JSON exactly). */
export function finite(where: string, arg: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v)) fail(where, arg, v, "a finite number");
  return v + 0;
}

/** A finite number > 0. */
export function positive(where: string, arg: string, v: unknown): number {
  const x = finite(where, arg, v);
  if (x <= 0) fail(where, arg, v, "> 0");
  return x;
}

/** A finite number ≥ 0. */
export function nonNegative(where: string, arg: string, v: unknown): number {
  const x = finite(where, arg, v);
  if (x < 0) fail(where, arg, v, "≥ 0");
  return x;
}

/** A fraction of the schedule in [0, 1] (or [0, 1) with `open`). */
export function fraction(where: string, arg: string, v: unknown, open = false): number {
  const x = finite(where, arg, v);
  if (x < 0 || x > 1 || (open && x === 1)) fail(where, arg, v, open ? "in [0, 1)" : "in [0, 1]");
  return x;
}

/** A positive integer. */
export function count(where: string, arg: string, v: unknown): number {
  const x = finite(where, arg, v);
  if (!Number.isInteger(x) || x < 1) fail(where, arg, v, "an integer ≥ 1");
  return x;
}

/** One of a fixed set of names. */
export function oneOf<T extends string>(where: string, arg: string, v: unknown, options: readonly T[]): T {
  if (typeof v !== "string" || !(options as readonly string[]).includes(v)) {
    fail(where, arg, v, `one of ${options.map((o) => JSON.stringify(o)).join(", ")}`);
  }
  return v as T;
}

/** A list of finite numbers (copied and frozen so later mutation by the caller changes nothing). */
export function numbers(where: string, arg: string, v: unknown): readonly number[] {
  if (!Array.isArray(v)) fail(where, arg, v, "an array of finite numbers");
  return Object.freeze(v.map((x, i) => finite(where, `${arg}[${i}]`, x)));
}

/** A hyper-parameter value: a finite number, or a non-empty array of them (one per parameter group). */
export function hyper(where: string, arg: string, v: unknown): Hyper {
  if (typeof v === "number") return finite(where, arg, v);
  if (!Array.isArray(v) || v.length === 0) {
    fail(where, arg, v, "a finite number or a non-empty array of finite numbers (one per parameter group)");
  }
  return numbers(where, arg, v);
}

/** Applies a per-element rule to a validated hyper, naming the offending group. */
export function eachGroup(
  where: string,
  arg: string,
  h: Hyper,
  ok: (x: number) => boolean,
  expected: string,
): void {
  if (typeof h === "number") {
    if (!ok(h)) fail(where, arg, h, expected);
    return;
  }
  h.forEach((x, i) => {
    if (!ok(x)) fail(where, `${arg}[${i}]`, x, expected);
  });
}

/** A plain options object (or undefined → `{}`). */
export function options<T extends object>(where: string, v: T | undefined): T {
  if (v === undefined) return {} as T;
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(where, "options", v, "an object");
  return v;
}
