/**
 * The step view: for users who count optimizer steps. Step k of a run of `totalSteps` is pos
 * k/totalSteps, the convention of fastai's ParamScheduler, optax, Keras and HF: step 0 gives the start
 * value and step `totalSteps` the end value. PyTorch's OneCycleLR reaches its end on the last of T
 * steps: use `stepView(s, T − 1)` for that convention.
 *
 * Past the horizon (step > totalSteps) the policy is explicit: "clamp" (default) holds the end value,
 * as optax, Keras and HF do; "throw" raises a ScheduleError, as PyTorch's OneCycleLR does.
 */
import { options, positive } from "./check.js";
import { fail, ScheduleError } from "./errors.js";
import { scheduleArg } from "./schedule.js";
import type { Hyper, Schedule } from "./types.js";

/** What a step view does past its horizon. */
export type PastHorizon = "clamp" | "throw";

/** Options of stepView. */
export interface StepViewOptions {
  /** Past `totalSteps`: hold the end value ("clamp", default) or throw ("throw"). */
  past?: PastHorizon | undefined;
}

/** A schedule read by optimizer step: `(step) => value`, step ≥ 0 (fractional steps allowed). */
export interface StepSchedule<T extends Hyper = Hyper> {
  (step: number): T;
  readonly totalSteps: number;
  readonly past: PastHorizon;
  readonly schedule: Schedule<T>;
}

/** Reads `schedule` by step: step k gives `schedule(k / totalSteps)`. */
export function stepView<T extends Hyper>(
  schedule: Schedule<T>,
  totalSteps: number,
  opts?: StepViewOptions,
): StepSchedule<T> {
  const where = "stepView";
  const s = scheduleArg(where, "schedule", schedule) as Schedule<T>;
  const total = positive(where, "totalSteps", totalSteps);
  const o = options(where, opts);
  const past = o.past ?? "clamp";
  if (past !== "clamp" && past !== "throw") fail(where, "past", past, 'one of "clamp", "throw"');
  const view = (step: number): T => {
    if (typeof step === "number" && step >= 0 && step <= total) return s(step / total);
    if (typeof step !== "number" || !(step >= 0) || step === Number.POSITIVE_INFINITY) {
      return fail(where, "step", step, "a finite number ≥ 0");
    }
    if (past === "throw") {
      throw new ScheduleError(
        `${where}: step ${step} is past the horizon of ${total} steps (past: "throw"); the schedule was built for ${total} steps`,
        { argument: "step", value: step },
      );
    }
    return s(1);
  };
  return Object.assign(view, { totalSteps: total, past, schedule: s });
}
