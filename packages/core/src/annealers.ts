/**
 * Annealers: a value travelling from `start` (pos 0) to `end` (pos 1). The first five are the
 * reference's, with its exact formulas (same operation order, so the same floats); the others are the
 * decay shapes of other libraries, written as annealers so they compose with everything else.
 */
import { eachGroup, hyper, positive } from "./check.js";
import { groupCount, perGroup, pick } from "./groups.js";
import { type Kernel, makeSchedule } from "./schedule.js";
import type { Broadcast, Hyper, Schedule, ScheduleSpec } from "./types.js";

/** A plain copy of a validated hyper, for specs. */
export function plain(h: Hyper): Hyper {
  return typeof h === "number" ? h : [...h];
}

type ScalarKernel = (start: number, end: number, extra: number) => Kernel<number>;

function annealer<S extends Hyper, E extends Hyper>(
  type: string,
  start: S,
  end: E,
  kernel: ScalarKernel,
  opts: { extra?: readonly [string, number]; positiveEnds?: boolean } = {},
): Schedule<Broadcast<S, E>> {
  const s = hyper(type, "start", start);
  const e = hyper(type, "end", end);
  if (opts.positiveEnds) {
    eachGroup(type, "start", s, (x) => x > 0, "> 0");
    eachGroup(type, "end", e, (x) => x > 0, "> 0");
  }
  const extra = opts.extra ? positive(type, opts.extra[0], opts.extra[1]) : 0;
  const n = groupCount(type, [
    ["start", s],
    ["end", e],
  ]);
  const k = perGroup(n, (g) => kernel(pick(s, g), pick(e, g), extra));
  const spec = (): ScheduleSpec => ({
    type,
    start: plain(s),
    end: plain(e),
    ...(opts.extra ? { [opts.extra[0]]: extra } : {}),
  });
  return makeSchedule(type, k as Kernel<Broadcast<S, E>>, spec);
}

/** Constant `start` (`end` is ignored, as in the reference). */
export function SchedNo<S extends Hyper, E extends Hyper>(start: S, end: E): Schedule<Broadcast<S, E>> {
  return annealer("SchedNo", start, end, (s) => () => s);
}

/** Linear: `start + pos·(end − start)`. */
export function SchedLin<S extends Hyper, E extends Hyper>(start: S, end: E): Schedule<Broadcast<S, E>> {
  return annealer("SchedLin", start, end, (s, e) => {
    const d = e - s;
    return (p) => s + p * d;
  });
}

/** Half cosine: `start + (1 + cos(π·(1 − pos)))·(end − start)/2`. */
export function SchedCos<S extends Hyper, E extends Hyper>(start: S, end: E): Schedule<Broadcast<S, E>> {
  return annealer("SchedCos", start, end, (s, e) => {
    const d = e - s;
    return (p) => s + ((1 + Math.cos(Math.PI * (1 - p))) * d) / 2;
  });
}

/** Exponential: `start·(end/start)^pos`; start and end must be > 0. */
export function SchedExp<S extends Hyper, E extends Hyper>(start: S, end: E): Schedule<Broadcast<S, E>> {
  return annealer(
    "SchedExp",
    start,
    end,
    (s, e) => {
      const r = e / s;
      return (p) => s * r ** p;
    },
    { positiveEnds: true },
  );
}

/** Polynomial ease-in (the reference's): `start + (end − start)·pos^power`, power > 0. */
export function SchedPoly<S extends Hyper, E extends Hyper>(
  start: S,
  end: E,
  power: number,
): Schedule<Broadcast<S, E>> {
  return annealer(
    "SchedPoly",
    start,
    end,
    (s, e, k) => {
      const d = e - s;
      return (p) => s + d * p ** k;
    },
    { extra: ["power", power] },
  );
}

/**
 * Polynomial decay as PyTorch, optax, Keras and HF define it: `end + (start − end)·(1 − pos)^power`.
 * With power 0.5 it is HF's "1-sqrt" warmup shape.
 */
export function SchedPolyDecay<S extends Hyper, E extends Hyper>(
  start: S,
  end: E,
  power: number,
): Schedule<Broadcast<S, E>> {
  return annealer(
    "SchedPolyDecay",
    start,
    end,
    (s, e, k) => {
      const d = s - e;
      return (p) => e + d * (1 - p) ** k;
    },
    { extra: ["power", power] },
  );
}

/** Cosine raised to `exponent` (optax): `end + (start − end)·(½(1 + cos(π·pos)))^exponent`. */
export function SchedCosPow<S extends Hyper, E extends Hyper>(
  start: S,
  end: E,
  exponent: number,
): Schedule<Broadcast<S, E>> {
  return annealer(
    "SchedCosPow",
    start,
    end,
    (s, e, k) => {
      const d = s - e;
      return (p) => e + d * ((1 + Math.cos(Math.PI * p)) / 2) ** k;
    },
    { extra: ["exponent", exponent] },
  );
}

/**
 * Inverse square root (HF `inverse_sqrt`, T5): `start / √(1 + pos·((start/end)² − 1))`, i.e.
 * `start/√(1 + t/timescale)` with `t` the steps since the decay began; start and end must be > 0.
 */
export function SchedInvSqrt<S extends Hyper, E extends Hyper>(start: S, end: E): Schedule<Broadcast<S, E>> {
  return annealer(
    "SchedInvSqrt",
    start,
    end,
    (s, e) => {
      // 1 − p + p·r² rather than 1 + p·(r² − 1): no cancellation near pos 1, so the end is hit to the ulp.
      const r2 = (s / e) ** 2;
      return (p) => s / Math.sqrt(1 - p + p * r2);
    },
    { positiveEnds: true },
  );
}

/** Inverse time (Keras `InverseTimeDecay`): `start / (1 + pos·(start/end − 1))`; start and end must be > 0. */
export function SchedInvTime<S extends Hyper, E extends Hyper>(start: S, end: E): Schedule<Broadcast<S, E>> {
  return annealer(
    "SchedInvTime",
    start,
    end,
    (s, e) => {
      const r = s / e;
      return (p) => s / (1 - p + p * r);
    },
    { positiveEnds: true },
  );
}
