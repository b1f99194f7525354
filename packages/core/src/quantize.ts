/** Counting whole steps of a staircase without float surprises (6/19 ÷ 3/19 must count 2, not 1.999…). */
import type { AtBoundary } from "./types.js";

/** A count within this many units of a whole number is taken to be on it. */
export const COUNT_TOLERANCE = 1e-9;

/**
 * Whole units passed after `q` units: `floor(q)` when a boundary already holds the new value ("new"),
 * `ceil(q) − 1` when it still holds the old one ("old").
 */
export function unitsPassed(q: number, at: AtBoundary): number {
  if (at === "new") {
    const f = Math.floor(q);
    return q - f > 1 - COUNT_TOLERANCE ? f + 1 : f;
  }
  const c = Math.ceil(q);
  const n = c - q > 1 - COUNT_TOLERANCE ? c - 2 : c - 1;
  return Math.max(n, 0);
}

/** Number of sorted boundaries already passed at `pos` (binary search; `tol` absorbs float error). */
export function boundariesPassed(boundaries: Float64Array, pos: number, at: AtBoundary, tol: number): number {
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const b = boundaries[mid] as number;
    const passed = at === "new" ? pos >= b - tol : pos > b + tol;
    if (passed) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
