/**
 * Cyclical schedules (Smith's CLR; PyTorch CyclicLR): triangular, triangular2 (amplitude halves every
 * cycle) and exp_range (amplitude decays with pos). The same family cycles momentum the other way:
 * start 0.95, peak 0.85.
 */
import { plain } from "../annealers.js";
import { hyper, nonNegative, oneOf, options, positive } from "../check.js";
import { ScheduleError } from "../errors.js";
import { groupCount, perGroup, pick } from "../groups.js";
import { unitsPassed } from "../quantize.js";
import { type Kernel, makeSchedule } from "../schedule.js";
import type { Broadcast, Hyper, Schedule } from "../types.js";

/** How the amplitude changes from cycle to cycle. */
export type CyclicalMode = "triangular" | "triangular2" | "expRange";

/** Options of cyclical. */
export interface CyclicalOptions<S extends Hyper, P extends Hyper> {
  /** Value at the start of every cycle (PyTorch base_lr, or max_momentum). */
  start: S;
  /** Value at the top of the first cycle (PyTorch max_lr, or base_momentum). */
  peak: P;
  /** Length of the rising half as a fraction of the schedule (PyTorch step_size_up / total steps). */
  up: number;
  /** Length of the falling half (default `up`). */
  down?: number | undefined;
  /** Amplitude rule (default "triangular"). */
  mode?: CyclicalMode | undefined;
  /**
   * expRange only: the amplitude is multiplied by this factor every `up` of pos, i.e. it is
   * `gammaPerUp^(pos/up)`. PyTorch's per-step gamma γ with step_size_up u gives `gammaPerUp = γ^u`.
   */
  gammaPerUp?: number | undefined;
}

/** A triangle wave between `start` and `peak`, its height scaled by `mode`. */
export function cyclical<S extends Hyper, P extends Hyper>(
  opts: CyclicalOptions<S, P>,
): Schedule<Broadcast<S, P>> {
  const where = "cyclical";
  const o = options(where, opts);
  const start = hyper(where, "start", o.start);
  const peak = hyper(where, "peak", o.peak);
  const n = groupCount(where, [
    ["start", start],
    ["peak", peak],
  ]);
  const up = positive(where, "up", o.up);
  const down = o.down === undefined ? up : nonNegative(where, "down", o.down);
  const mode = oneOf(where, "mode", o.mode ?? "triangular", [
    "triangular",
    "triangular2",
    "expRange",
  ] as const);
  if (mode !== "expRange" && o.gammaPerUp !== undefined) {
    throw new ScheduleError(
      `${where}: gammaPerUp only applies to mode "expRange", got mode ${JSON.stringify(mode)}`,
      {
        argument: "gammaPerUp",
        value: o.gammaPerUp,
      },
    );
  }
  const gamma = positive(where, "gammaPerUp", o.gammaPerUp ?? 1);
  const total = up + down;
  const ratio = up / total;
  const kernel = perGroup(n, (g) => {
    const s = pick(start, g);
    const height = pick(peak, g) - s;
    return (p) => {
      const u = p / total;
      const cycle = unitsPassed(u, "new");
      let x = u - cycle;
      x = Math.max(x, 0);
      const rise = x <= ratio ? x / ratio : (x - 1) / (ratio - 1);
      const scale = mode === "triangular" ? 1 : mode === "triangular2" ? 0.5 ** cycle : gamma ** (p / up);
      return s + height * rise * scale;
    };
  });
  return makeSchedule(where, kernel as Kernel<Broadcast<S, P>>, () => ({
    type: where,
    start: plain(start),
    peak: plain(peak),
    up,
    down,
    mode,
    ...(mode === "expRange" ? { gammaPerUp: gamma } : {}),
  }));
}
