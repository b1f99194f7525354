/**
 * One-cycle in every library's shape: two phases (fastai, PyTorch) or three (PyTorch three_phase,
 * optax linear_onecycle), cosine or linear. The same family gives the momentum cycle: start 0.95,
 * peak 0.85, end 0.95.
 */
import { plain, SchedCos, SchedLin } from "../annealers.js";
import { fraction, hyper, oneOf, options } from "../check.js";
import { joinPieces } from "../combine.js";
import { fail } from "../errors.js";
import { groupCount } from "../groups.js";
import { type Kernel, makeSchedule } from "../schedule.js";
import type { Broadcast3, Hyper, Schedule } from "../types.js";

/** Options of oneCycle. */
export interface OneCycleOptions<S extends Hyper, P extends Hyper, E extends Hyper> {
  /** Value at pos 0 (fastai lr: lrMax/div; momentum: 0.95). */
  start: S;
  /** Value at the end of the first phase (lr: lrMax; momentum: 0.85). */
  peak: P;
  /** Value at pos 1 (fastai lr: lrMax/divFinal; PyTorch and optax: lrMax/(div·finalDiv)). */
  end: E;
  /** Where the first phase ends (default 0.25 as fastai; PyTorch and optax use 0.3). */
  pctStart?: number | undefined;
  /**
   * Three phases: where the second phase (back from peak to start) ends; the third goes from start to
   * end. PyTorch `three_phase` is `pctFinal = 2·pctStart`; optax linear_onecycle's `pct_final`.
   */
  pctFinal?: number | undefined;
  /** Phase shape (default "cos"). */
  anneal?: "cos" | "linear" | undefined;
}

/** start → peak → end (or start → peak → start → end with `pctFinal`), each phase annealed. */
export function oneCycle<S extends Hyper, P extends Hyper, E extends Hyper>(
  opts: OneCycleOptions<S, P, E>,
): Schedule<Broadcast3<S, P, E>> {
  const where = "oneCycle";
  const o = options(where, opts);
  const start = hyper(where, "start", o.start);
  const peak = hyper(where, "peak", o.peak);
  const end = hyper(where, "end", o.end);
  groupCount(where, [
    ["start", start],
    ["peak", peak],
    ["end", end],
  ]);
  const pctStart = fraction(where, "pctStart", o.pctStart ?? 0.25);
  const pctFinal = o.pctFinal === undefined ? undefined : fraction(where, "pctFinal", o.pctFinal);
  if (pctFinal !== undefined && pctFinal < pctStart) {
    fail(where, "pctFinal", pctFinal, `≥ pctStart (${pctStart})`);
  }
  const anneal = oneOf(where, "anneal", o.anneal ?? "cos", ["cos", "linear"] as const);
  const A = anneal === "cos" ? SchedCos : SchedLin;
  const kernel =
    pctFinal === undefined
      ? joinPieces(where, [pctStart, 1 - pctStart], [A(start, peak), A(peak, end)])
      : joinPieces(
          where,
          [pctStart, pctFinal - pctStart, 1 - pctFinal],
          [A(start, peak), A(peak, start), A(start, end)],
        );
  return makeSchedule(where, kernel as Kernel<Broadcast3<S, P, E>>, () => ({
    type: where,
    start: plain(start),
    peak: plain(peak),
    end: plain(end),
    pctStart,
    ...(pctFinal === undefined ? {} : { pctFinal }),
    anneal,
  }));
}
