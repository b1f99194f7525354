/** Test helper: elementwise closeness with a stated tolerance, |a − e| ≤ abs + rel·|e|; lengths must match. */
import { expect } from "vitest";
import { ScheduleError } from "./errors.js";
import type { Hyper } from "./types.js";

/** Tolerance of a comparison. */
export interface Tol {
  abs?: number;
  rel?: number;
}

/** Asserts `actual` (numbers or per-group arrays) matches `expected` within `tol`. */
export function expectClose(actual: readonly Hyper[], expected: readonly Hyper[], tol: Tol): void {
  const { abs = 0, rel = 0 } = tol;
  expect(actual.length, "length").toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] as Hyper;
    const as = typeof a === "number" ? [a] : a;
    const es = typeof e === "number" ? [e] : e;
    expect(typeof a, `shape at ${i}`).toBe(typeof e);
    expect(as.length, `groups at ${i}`).toBe(es.length);
    as.forEach((x, g) => {
      const y = es[g] as number;
      const ok = Math.abs(x - y) <= abs + rel * Math.abs(y);
      expect(
        ok,
        `element ${i}${as.length > 1 ? `[${g}]` : ""}: got ${x}, expected ${y} (abs ${abs}, rel ${rel})`,
      ).toBe(true);
    });
  });
}

/** Values of `f` at each of `xs`. */
export const at = <T>(f: (x: number) => T, xs: readonly number[]): T[] => xs.map((x) => f(x));

/** 0, 1, …, n − 1. */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** The error `fn` throws (the test fails if it throws nothing or something that is not a ScheduleError). */
export function thrown(fn: () => unknown): ScheduleError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ScheduleError);
    return e as ScheduleError;
  }
  throw new Error("expected a ScheduleError, but nothing was thrown");
}
