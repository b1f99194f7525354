/**
 * Piecewise interpolation between knots (optax piecewise_interpolate_schedule, written with absolute
 * values rather than cumulative scales). A repeated position is a jump: the later knot holds from it on.
 */
import { plain } from "../annealers.js";
import { fraction, hyper, oneOf, options } from "../check.js";
import { fail } from "../errors.js";
import { groupCount, perGroup, pick } from "../groups.js";
import { boundariesPassed } from "../quantize.js";
import { BOUNDARY_TOLERANCE, makeSchedule } from "../schedule.js";
import type { Hyper, Schedule } from "../types.js";

/** Options of piecewiseInterpolate. */
export interface PiecewiseInterpolateOptions {
  /** `[pos, value]` pairs with non-decreasing pos in [0, 1]; the value holds before the first and after the last. */
  knots: ReadonlyArray<readonly [number, Hyper]>;
  /** How to travel between knots (default "linear"). */
  shape?: "linear" | "cos" | undefined;
}

/** Interpolates between knots, holding the end values outside them. */
export function piecewiseInterpolate(opts: PiecewiseInterpolateOptions): Schedule {
  const where = "piecewiseInterpolate";
  const o = options(where, opts);
  if (!Array.isArray(o.knots) || o.knots.length === 0)
    fail(where, "knots", o.knots, "a non-empty array of [pos, value] pairs");
  const knots = o.knots.map((k, i): readonly [number, Hyper] => {
    if (!Array.isArray(k) || k.length !== 2) fail(where, `knots[${i}]`, k, "a [pos, value] pair");
    return [fraction(where, `knots[${i}][0]`, k[0]), hyper(where, `knots[${i}][1]`, k[1])];
  });
  knots.forEach(([p], i) => {
    const prev = knots[i - 1];
    if (prev && p < prev[0])
      fail(where, `knots[${i}][0]`, p, `≥ knots[${i - 1}][0] = ${prev[0]} (sorted by pos)`);
  });
  const shape = oneOf(where, "shape", o.shape ?? "linear", ["linear", "cos"] as const);
  const n = groupCount(
    where,
    knots.map(([, v], i) => [`knots[${i}][1]`, v] as const),
  );
  const xs = Float64Array.from(knots, ([p]) => p);
  const m = knots.length;
  const kernel = perGroup(n, (g) => {
    const ys = Float64Array.from(knots, ([, v]) => pick(v, g));
    return (p) => {
      const j = boundariesPassed(xs, p, "new", BOUNDARY_TOLERANCE) - 1;
      if (j < 0) return ys[0] as number;
      if (j >= m - 1) return ys[m - 1] as number;
      const x0 = xs[j] as number;
      const y0 = ys[j] as number;
      const dy = (ys[j + 1] as number) - y0;
      let t = (p - x0) / ((xs[j + 1] as number) - x0);
      t = t < 0 ? 0 : Math.min(t, 1);
      return shape === "linear" ? y0 + t * dy : y0 + (dy * (1 - Math.cos(Math.PI * t))) / 2;
    };
  });
  return makeSchedule(where, kernel, () => ({
    type: where,
    knots: knots.map(([p, v]) => [p, plain(v)]),
    shape,
  }));
}
