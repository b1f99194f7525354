/** What every policy shares: the per-group schedule form and the options passed on to `fit`. */

import { type HyperSchedule, ParamScheduler, type Scheds, type ScheduleValue } from "@sched/callbacks";
import type { Hyper } from "@sched/core";
import type { Callback, FitOptions, Learner } from "@sched/learner";
import { checkWd, optionalArray, optionalBoolean, startEpochOf } from "./check.js";

/** The options every policy passes on to `learn.fit`. */
export interface PolicyFitOptions {
  /** Weight decay for this fit (default: the learner's `wd`, else the optimizer's own). */
  wd?: Hyper;
  /** Extra callbacks for this fit only. */
  cbs?: readonly Callback[];
  /** Build a fresh optimizer before fitting. */
  resetOpt?: boolean;
  /** Resume: skip the epochs before this one and continue the schedule where it was. */
  startEpoch?: number;
}

/**
 * One schedule for a single group (values are numbers), else a list with one scalar schedule per
 * group: ParamScheduler's list form fills one reused array per batch instead of a new array.
 */
export function perGroup(lrs: readonly number[], build: (lr: number) => HyperSchedule): ScheduleValue {
  return lrs.length === 1 ? build(lrs[0] as number) : lrs.map(build);
}

/** Checks the fit options (startEpoch against `nEpoch`) and returns the startEpoch. */
export function checkFitOptions(
  where: string,
  opts: PolicyFitOptions,
  nEpoch: number,
  nGroups: number,
): number {
  optionalArray(where, "cbs", opts.cbs);
  optionalBoolean(where, "resetOpt", opts.resetOpt);
  checkWd(where, opts.wd, nGroups);
  return startEpochOf(where, opts.startEpoch, nEpoch);
}

/** Fits `nEpoch` epochs with a ParamScheduler for `scheds` first, then the caller's callbacks. */
export function fitWith(
  learn: Learner,
  nEpoch: number,
  scheds: Scheds,
  opts: PolicyFitOptions,
  startEpoch: number,
): Promise<void> {
  const fitOpts: FitOptions = { cbs: [new ParamScheduler(scheds), ...(opts.cbs ?? [])] };
  if (opts.wd !== undefined) fitOpts.wd = opts.wd;
  if (opts.resetOpt !== undefined) fitOpts.resetOpt = opts.resetOpt;
  if (startEpoch) fitOpts.startEpoch = startEpoch;
  return learn.fit(nEpoch, fitOpts);
}
