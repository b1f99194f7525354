/**
 * combineScheds / combinedCos: pieces laid end to end over [0, 1], each seeing its own local position.
 *
 * Boundary rules (the reference's): a pos on an internal boundary goes to the later piece with local
 * position 0; zero-width pieces are never selected; pos = 1 gives the last piece's end value.
 * Fixes: pcts must sum to 1 within 1e-9 (not exactly); trailing zero-width pieces give the end of the
 * last non-empty piece at pos = 1 instead of 0/0 = NaN; `pcts` and `scheds` must have equal lengths.
 * Precision: boundaries are float64 cumulative sums with the last one set to exactly 1, and a pos
 * within 1e-12 of a boundary counts as on it (the reference compares in float32; see README).
 */

import { plain, SchedCos } from "./annealers.js";
import { fraction, hyper } from "./check.js";
import { fail, ScheduleError } from "./errors.js";
import { broadcastKernel, groupCount } from "./groups.js";
import {
  BOUNDARY_TOLERANCE,
  groupsOfValue,
  type Kernel,
  kernelOf,
  makeSchedule,
  scheduleArg,
  specOf,
} from "./schedule.js";
import type { Broadcast3, Hyper, Joined, Schedule, ValueOf } from "./types.js";

/** How far from 1 the pcts may sum. */
export const PCTS_SUM_TOLERANCE = 1e-9;

/** Validates pcts/scheds and returns the joined kernel; shared by combineScheds and the families. */
export function joinPieces(where: string, pcts: unknown, scheds: unknown): Kernel<Hyper> {
  if (!Array.isArray(pcts) || pcts.length === 0) fail(where, "pcts", pcts, "a non-empty array of fractions");
  if (!Array.isArray(scheds)) fail(where, "scheds", scheds, "an array of schedules");
  if (scheds.length !== pcts.length) {
    throw new ScheduleError(
      `${where}: scheds has ${scheds.length} entries but pcts has ${pcts.length}; give one schedule per pct`,
      { argument: "scheds", value: scheds },
    );
  }
  const n = pcts.length;
  const c = new Float64Array(n + 1);
  pcts.forEach((p, i) => {
    if (typeof p !== "number" || !Number.isFinite(p) || p < 0)
      fail(where, `pcts[${i}]`, p, "a finite number ≥ 0");
    c[i + 1] = (c[i] as number) + p;
  });
  const sum = c[n] as number;
  if (Math.abs(sum - 1) > PCTS_SUM_TOLERANCE) {
    throw new ScheduleError(`${where}: pcts must sum to 1 (within ${PCTS_SUM_TOLERANCE}), got sum ${sum}`, {
      argument: "pcts",
      value: pcts,
    });
  }
  for (let i = 1; i <= n; i++) c[i] = Math.min(c[i] as number, 1);
  c[n] = 1;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = (c[i + 1] as number) - (c[i] as number);
  let last = n - 1;
  while ((w[last] as number) === 0) last--;

  const pieces = scheds.map((s, i) => scheduleArg(where, `scheds[${i}]`, s));
  const groups = pieces.map((s, i) => groupsOfValue(where, `scheds[${i}]`, s(0)));
  const firstArray = groups.findIndex((gi) => gi > 0);
  const g = firstArray < 0 ? 0 : (groups[firstArray] as number);
  groups.forEach((gi, i) => {
    if (gi !== 0 && gi !== g) {
      throw new ScheduleError(
        `${where}: scheds[${i}] gives ${gi} values (one per parameter group) but scheds[${firstArray}] gives ${g}`,
        { argument: `scheds[${i}]` },
      );
    }
  });
  const ks = pieces.map((s, i) => (g > 0 && groups[i] === 0 ? broadcastKernel(kernelOf(s), g) : kernelOf(s)));
  const kLast = ks[last] as Kernel;
  const tol = BOUNDARY_TOLERANCE;

  const run = (i: number, pos: number): Hyper => {
    const wi = w[i] as number;
    if (wi === 0) return kLast(1);
    const d = pos - (c[i] as number);
    // On the boundary (within float noise of the cumulative sums): the later piece's exact start.
    if (d <= tol) return (ks[i] as Kernel)(0);
    return (ks[i] as Kernel)(Math.min(d / wi, 1));
  };
  if (n <= 8) {
    return (pos) => {
      let i = n - 1;
      while (i > 0 && pos < (c[i] as number) - tol) i--;
      return run(i, pos);
    };
  }
  return (pos) => {
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (pos >= (c[mid] as number) - tol) lo = mid;
      else hi = mid - 1;
    }
    return run(lo, pos);
  };
}

/** Lays `scheds` end to end: piece i covers a fraction `pcts[i]` of [0, 1] and sees its own local pos. */
export function combineScheds<S extends readonly Schedule[]>(
  pcts: readonly number[],
  scheds: S,
): Schedule<Joined<ValueOf<S[number]>>> {
  const where = "combineScheds";
  const kernel = joinPieces(where, pcts, scheds) as Kernel<Joined<ValueOf<S[number]>>>;
  const savedPcts = [...pcts].map((p) => p + 0);
  const saved = [...scheds];
  return makeSchedule(where, kernel, () => ({
    type: where,
    pcts: [...savedPcts],
    scheds: saved.map((s, i) => specOf(where, `scheds[${i}]`, s)),
  }));
}

/** fastai's one-cycle shape: cosine from `start` to `middle` over the first `pct`, then to `end`. */
export function combinedCos<S extends Hyper, M extends Hyper, E extends Hyper>(
  pct: number,
  start: S,
  middle: M,
  end: E,
): Schedule<Broadcast3<S, M, E>> {
  const where = "combinedCos";
  const p = fraction(where, "pct", pct);
  const s = hyper(where, "start", start);
  const m = hyper(where, "middle", middle);
  const e = hyper(where, "end", end);
  groupCount(where, [
    ["start", s],
    ["middle", m],
    ["end", e],
  ]);
  const kernel = joinPieces(where, [p, 1 - p], [SchedCos(s, m), SchedCos(m, e)]);
  return makeSchedule(where, kernel as Kernel<Broadcast3<S, M, E>>, () => ({
    type: where,
    pct: p,
    start: plain(s),
    middle: plain(m),
    end: plain(e),
  }));
}
