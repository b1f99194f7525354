/**
 * Warmups: `withWarmup` puts a ramp in front of any schedule (warmup + linear / cosine-with-exponent /
 * exponential / polynomial / inverse-sqrt decay are `withWarmup(<annealer>)`), and `warmupStableDecay`
 * is HF's warmup → plateau → decay.
 */
import { plain, SchedCos, SchedLin, SchedNo, SchedPoly, SchedPolyDecay } from "../annealers.js";
import { fraction, hyper, nonNegative, oneOf, options } from "../check.js";
import { joinPieces } from "../combine.js";
import { ScheduleError } from "../errors.js";
import { groupCount, mapHyper } from "../groups.js";
import { groupsOfValue, type Kernel, makeSchedule, scheduleArg, specOf } from "../schedule.js";
import type { Broadcast, Hyper, Schedule } from "../types.js";

/** Shape of a warmup ramp. */
export type WarmupShape = "linear" | "cos";

/** Options of withWarmup. */
export interface WarmupOptions<I extends Hyper = number> {
  /** Fraction of the schedule spent warming up, in [0, 1). */
  pct: number;
  /** Value at pos 0 (default 0); the ramp ends at `sched(0)`. */
  init?: I | undefined;
  /** Ramp shape (default "linear", as HF, optax and timm; "cos" as the 1cycle warmups). */
  shape?: WarmupShape | undefined;
}

/** Ramps from `init` to `sched(0)` over the first `pct`, then runs `sched` over the rest. */
export function withWarmup<T extends Hyper, I extends Hyper = number>(
  sched: Schedule<T>,
  opts: WarmupOptions<I>,
): Schedule<Broadcast<T, I>> {
  const where = "withWarmup";
  const s = scheduleArg(where, "sched", sched);
  const o = options(where, opts);
  const pct = fraction(where, "pct", o.pct, true);
  const init = hyper(where, "init", o.init ?? 0);
  const shape = oneOf(where, "shape", o.shape ?? "linear", ["linear", "cos"] as const);
  const peak = s(0);
  groupsOfValue(where, "sched", peak);
  groupCount(where, [
    ["init", init],
    ["sched(0)", peak],
  ]);
  const ramp = shape === "linear" ? SchedLin(init, peak) : SchedCos(init, peak);
  const kernel = joinPieces(where, [pct, 1 - pct], [ramp, s]);
  return makeSchedule(where, kernel as Kernel<Broadcast<T, I>>, () => ({
    type: where,
    sched: specOf(where, "sched", s),
    pct,
    init: plain(init),
    shape,
  }));
}

/** Shapes of the warmup-stable-decay phases, as HF names them. */
export type WsdShape = "linear" | "cos" | "1-sqrt";

/** Options of warmupStableDecay. */
export interface WarmupStableDecayOptions<P extends Hyper = Hyper> {
  /** The plateau value. */
  peak: P;
  /** Fraction spent warming up, in [0, 1). */
  warmupPct: number;
  /** Fraction spent decaying at the end, in (0, 1]; the plateau fills what is left. */
  decayPct: number;
  /** Final value as a fraction of peak (HF `min_lr_ratio`, default 0). */
  minRatio?: number | undefined;
  /** Warmup start value (default `peak·minRatio`, as HF). */
  init?: Hyper | undefined;
  /** Warmup shape (default "linear"); HF "1-sqrt" is `1 − √(1 − t)`. */
  warmup?: WsdShape | undefined;
  /** Decay shape (default "linear"); HF "1-sqrt" is `1 − √t`. */
  decay?: WsdShape | undefined;
}

const WSD: readonly WsdShape[] = ["linear", "cos", "1-sqrt"];

/** Warmup to `peak`, hold it, then decay to `peak·minRatio` over the last `decayPct` (HF WSD). */
export function warmupStableDecay<P extends Hyper>(
  opts: WarmupStableDecayOptions<P>,
): Schedule<Broadcast<P, number>> {
  const where = "warmupStableDecay";
  const o = options(where, opts);
  const peak = hyper(where, "peak", o.peak);
  const warmupPct = fraction(where, "warmupPct", o.warmupPct, true);
  const decayPct = fraction(where, "decayPct", o.decayPct);
  if (decayPct === 0)
    throw new ScheduleError(`${where}: decayPct must be > 0, got 0`, { argument: "decayPct", value: 0 });
  if (warmupPct + decayPct > 1 + 1e-9) {
    throw new ScheduleError(
      `${where}: warmupPct + decayPct must be ≤ 1, got ${warmupPct} + ${decayPct} = ${warmupPct + decayPct}`,
      { argument: "decayPct", value: decayPct },
    );
  }
  const minRatio = nonNegative(where, "minRatio", o.minRatio ?? 0);
  const end = mapHyper(peak, (x) => x * minRatio);
  const init = o.init === undefined ? end : hyper(where, "init", o.init);
  groupCount(where, [
    ["peak", peak],
    ["init", init],
  ]);
  const warmup = oneOf(where, "warmup", o.warmup ?? "linear", WSD);
  const decay = oneOf(where, "decay", o.decay ?? "linear", WSD);
  const up =
    warmup === "linear"
      ? SchedLin(init, peak)
      : warmup === "cos"
        ? SchedCos(init, peak)
        : SchedPolyDecay(init, peak, 0.5);
  const down =
    decay === "linear"
      ? SchedLin(peak, end)
      : decay === "cos"
        ? SchedCos(peak, end)
        : SchedPoly(peak, end, 0.5);
  const stable = Math.max(0, 1 - warmupPct - decayPct);
  const kernel = joinPieces(
    where,
    [warmupPct, stable, 1 - warmupPct - stable],
    [up, SchedNo(peak, peak), down],
  );
  return makeSchedule(where, kernel as Kernel<Broadcast<P, number>>, () => ({
    type: where,
    peak: plain(peak),
    warmupPct,
    decayPct,
    minRatio,
    ...(o.init === undefined ? {} : { init: plain(init) }),
    warmup,
    decay,
  }));
}
