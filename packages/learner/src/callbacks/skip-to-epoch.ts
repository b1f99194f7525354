import type { Callback } from "../callback.js";
import { CancelEpochException } from "../exceptions.js";
import type { Learner } from "../learner.js";

/**
 * Resumes a fit at `startEpoch` (order 70): earlier epochs are cancelled in `before_epoch`, so their
 * `after_cancel_epoch`/`after_epoch` still fire, and TrainEval's `pctTrain = epoch/nEpoch` puts
 * schedules at the right position when training starts. `fit(n, { startEpoch })` adds it.
 */
export class SkipToEpoch implements Callback {
  readonly name = "SkipToEpoch";
  readonly order = 70;

  constructor(readonly startEpoch: number) {}

  before_epoch(learn: Learner): void {
    if (learn.epoch < this.startEpoch) throw new CancelEpochException();
  }
}
