/**
 * Cosine with warm restarts (SGDR; PyTorch CosineAnnealingWarmRestarts, Keras CosineDecayRestarts,
 * timm cycle_mul/cycle_decay, HF cosine_with_restarts), as a closed form of pos: no state, so any
 * position can be asked in any order (resume, interleaved or fractional epochs).
 */
import { plain } from "../annealers.js";
import { count, fraction, hyper, options, positive } from "../check.js";
import { ScheduleError } from "../errors.js";
import { groupCount, perGroup, pick } from "../groups.js";
import { unitsPassed } from "../quantize.js";
import { type Kernel, makeSchedule } from "../schedule.js";
import type { Broadcast, Hyper, Schedule } from "../types.js";

/** Options of cosineRestarts: give exactly one of `cycles` or `firstPct`. */
export interface CosineRestartsOptions<M extends Hyper, N extends Hyper> {
  /** Value at the start of the first cycle. */
  max: M;
  /** Floor every cycle decays to (PyTorch eta_min, timm lr_min, Keras alpha·initial; default 0). */
  min?: N | undefined;
  /** Number of cycles that exactly fill [0, 1] (fastai fitSgdr, HF num_cycles). */
  cycles?: number | undefined;
  /** Length of the first cycle as a fraction of the schedule; cycles repeat until pos 1 (PyTorch T_0/total). */
  firstPct?: number | undefined;
  /** Each cycle is this many times longer than the previous one (> 0, may be fractional; default 1). */
  cycleMult?: number | undefined;
  /** Each cycle's peak is this many times the previous one's (timm cycle_decay, Keras m_mul; default 1). */
  decay?: number | undefined;
}

/** Cycle i runs `min + (max·decay^i − min)·½(1 + cos(π·t))`, t the position within the cycle. */
export function cosineRestarts<M extends Hyper, N extends Hyper = number>(
  opts: CosineRestartsOptions<M, N>,
): Schedule<Broadcast<M, N>> {
  const where = "cosineRestarts";
  const o = options(where, opts);
  const max = hyper(where, "max", o.max);
  const min = hyper(where, "min", o.min ?? 0);
  const n = groupCount(where, [
    ["max", max],
    ["min", min],
  ]);
  const mult = positive(where, "cycleMult", o.cycleMult ?? 1);
  const decay = positive(where, "decay", o.decay ?? 1);
  if ((o.cycles === undefined) === (o.firstPct === undefined)) {
    throw new ScheduleError(
      `${where}: give exactly one of cycles or firstPct, got cycles=${o.cycles} and firstPct=${o.firstPct}`,
      { argument: "cycles" },
    );
  }
  const cycles = o.cycles === undefined ? Number.POSITIVE_INFINITY : count(where, "cycles", o.cycles);
  let first: number;
  if (o.firstPct !== undefined) {
    first = fraction(where, "firstPct", o.firstPct);
    if (first === 0)
      throw new ScheduleError(`${where}: firstPct must be > 0, got 0`, { argument: "firstPct", value: 0 });
    if (mult < 1 && first / (1 - mult) <= 1) {
      throw new ScheduleError(
        `${where}: with cycleMult ${mult} < 1 the cycles shrink and add up to firstPct/(1 − cycleMult) = ${first / (1 - mult)}, which never reaches pos 1; raise firstPct or cycleMult, or give cycles`,
        { argument: "cycleMult", value: mult },
      );
    }
  } else {
    first = mult === 1 ? 1 / cycles : (mult - 1) / (mult ** cycles - 1);
  }
  const logMult = Math.log(mult);
  const kernel = perGroup(n, (g) => {
    const hi = pick(max, g);
    const lo = pick(min, g);
    return (p) => {
      let i: number;
      let start: number;
      let len: number;
      if (mult === 1) {
        i = unitsPassed(p / first, "new");
        start = i * first;
        len = first;
      } else {
        i = unitsPassed(Math.log1p((p * (mult - 1)) / first) / logMult, "new");
        const grown = mult ** i;
        start = (first * (grown - 1)) / (mult - 1);
        len = first * grown;
      }
      let t: number;
      if (i >= cycles) {
        i = cycles - 1;
        t = 1;
      } else {
        t = (p - start) / len;
        t = t < 0 ? 0 : Math.min(t, 1);
      }
      const peak = decay === 1 ? hi : hi * decay ** i;
      return lo + ((peak - lo) * (1 + Math.cos(Math.PI * t))) / 2;
    };
  });
  return makeSchedule(where, kernel as Kernel<Broadcast<M, N>>, () => ({
    type: where,
    max: plain(max),
    min: plain(min),
    ...(o.cycles === undefined ? { firstPct: first } : { cycles }),
    cycleMult: mult,
    decay,
  }));
}
