/**
 * Step shapes: piecewise-constant, multi-step, step decay and a staircase over any schedule. Each takes
 * `atBoundary`: "new" (default) switches exactly at a boundary, as optax and PyTorch do; "old" keeps the
 * previous value at the boundary and switches just after it, as Keras' PiecewiseConstantDecay does.
 */
import { plain } from "../annealers.js";
import { fraction, hyper, nonNegative, oneOf, options, positive } from "../check.js";
import { fail, ScheduleError } from "../errors.js";
import { groupCount, perGroup, pick } from "../groups.js";
import { boundariesPassed, unitsPassed } from "../quantize.js";
import { BOUNDARY_TOLERANCE, type Kernel, kernelOf, makeSchedule, scheduleArg, specOf } from "../schedule.js";
import type { AtBoundary, Hyper, Schedule } from "../types.js";

const AT: readonly AtBoundary[] = ["new", "old"];

function increasingFractions(where: string, arg: string, v: unknown): readonly number[] {
  if (!Array.isArray(v)) fail(where, arg, v, "an array of positions in [0, 1]");
  const out = v.map((x, i) => fraction(where, `${arg}[${i}]`, x));
  out.forEach((x, i) => {
    if (i > 0 && x <= (out[i - 1] as number)) {
      fail(where, `${arg}[${i}]`, x, `greater than ${arg}[${i - 1}] = ${out[i - 1]} (strictly increasing)`);
    }
  });
  return out;
}

function constantKernel(
  where: string,
  boundaries: readonly number[],
  values: readonly Hyper[],
  at: AtBoundary,
): Kernel<Hyper> {
  const n = groupCount(
    where,
    values.map((v, i) => [`values[${i}]`, v] as const),
  );
  const b = Float64Array.from(boundaries);
  return perGroup(n, (g) => {
    const vals = Float64Array.from(values, (v) => pick(v, g));
    return (p) => vals[boundariesPassed(b, p, at, BOUNDARY_TOLERANCE)] as number;
  });
}

/** Options of piecewiseConstant. */
export interface PiecewiseConstantOptions {
  /** Positions in [0, 1], strictly increasing, where the value changes. */
  boundaries: readonly number[];
  /** One value per interval: `boundaries.length + 1` of them. */
  values: readonly Hyper[];
  /** Which value holds exactly at a boundary (default "new"). */
  atBoundary?: AtBoundary | undefined;
}

/** Holds `values[i]` between `boundaries[i − 1]` and `boundaries[i]`. */
export function piecewiseConstant(opts: PiecewiseConstantOptions): Schedule {
  const where = "piecewiseConstant";
  const o = options(where, opts);
  const boundaries = increasingFractions(where, "boundaries", o.boundaries);
  if (!Array.isArray(o.values)) fail(where, "values", o.values, "an array of values");
  if (o.values.length !== boundaries.length + 1) {
    throw new ScheduleError(
      `${where}: values has ${o.values.length} entries but boundaries has ${boundaries.length}; give boundaries.length + 1 = ${boundaries.length + 1} values`,
      { argument: "values", value: o.values },
    );
  }
  const values = o.values.map((v, i) => hyper(where, `values[${i}]`, v));
  const at = oneOf(where, "atBoundary", o.atBoundary ?? "new", AT);
  return makeSchedule(where, constantKernel(where, boundaries, values, at), () => ({
    type: where,
    boundaries: [...boundaries],
    values: values.map(plain),
    atBoundary: at,
  }));
}

/** Options of multiStep. */
export interface MultiStepOptions {
  /** The value before the first milestone. */
  base: Hyper;
  /** Positions in [0, 1], strictly increasing, where the value is multiplied by `gamma`. */
  milestones: readonly number[];
  /** Factor applied at each milestone (PyTorch MultiStepLR default 0.1). */
  gamma?: number | undefined;
  /** Which value holds exactly at a milestone (default "new"). */
  atBoundary?: AtBoundary | undefined;
}

/** `base·gamma^k` after k milestones (PyTorch MultiStepLR). */
export function multiStep(opts: MultiStepOptions): Schedule {
  const where = "multiStep";
  const o = options(where, opts);
  const base = hyper(where, "base", o.base);
  const milestones = increasingFractions(where, "milestones", o.milestones);
  const gamma = nonNegative(where, "gamma", o.gamma ?? 0.1);
  const at = oneOf(where, "atBoundary", o.atBoundary ?? "new", AT);
  const values = milestones
    .concat(0)
    .map((_, k) => (typeof base === "number" ? base * gamma ** k : base.map((x) => x * gamma ** k)));
  return makeSchedule(where, constantKernel(where, milestones, values, at), () => ({
    type: where,
    base: plain(base),
    milestones: [...milestones],
    gamma,
    atBoundary: at,
  }));
}

/** Options of stepDecay. */
export interface StepDecayOptions {
  /** The value over the first step. */
  base: Hyper;
  /** Length of one step as a fraction of the schedule (> 0; PyTorch step_size / total steps). */
  every: number;
  /** Factor applied after each step (PyTorch StepLR default 0.1). */
  gamma?: number | undefined;
  /** Which value holds exactly at a step boundary (default "new"). */
  atBoundary?: AtBoundary | undefined;
}

/** `base·gamma^⌊pos/every⌋` (PyTorch StepLR, Keras ExponentialDecay with staircase). */
export function stepDecay(opts: StepDecayOptions): Schedule {
  const where = "stepDecay";
  const o = options(where, opts);
  const base = hyper(where, "base", o.base);
  const every = positive(where, "every", o.every);
  const gamma = nonNegative(where, "gamma", o.gamma ?? 0.1);
  const at = oneOf(where, "atBoundary", o.atBoundary ?? "new", AT);
  const n = groupCount(where, [["base", base]]);
  const kernel = perGroup(n, (g) => {
    const b = pick(base, g);
    return (p) => b * gamma ** unitsPassed(p / every, at);
  });
  return makeSchedule(where, kernel, () => ({
    type: where,
    base: plain(base),
    every,
    gamma,
    atBoundary: at,
  }));
}

/** Holds `sched` constant over steps of length `every`: the value at the start of the current step. */
export function staircase<T extends Hyper>(
  sched: Schedule<T>,
  every: number,
  atBoundary: AtBoundary = "new",
): Schedule<T> {
  const where = "staircase";
  const s = scheduleArg(where, "sched", sched) as Schedule<T>;
  const e = positive(where, "every", every);
  const at = oneOf(where, "atBoundary", atBoundary, AT);
  const k = kernelOf(s);
  const kernel: Kernel<T> = (p) => {
    const q = unitsPassed(p / e, at) * e;
    return k(Math.min(q, 1));
  };
  return makeSchedule(where, kernel, () => ({
    type: where,
    sched: specOf(where, "sched", s),
    every: e,
    atBoundary: at,
  }));
}
