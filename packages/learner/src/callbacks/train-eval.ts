import type { Callback } from "../callback.js";
import type { Learner } from "../learner.js";

/**
 * Keeps the loop counters (order -10, so every other callback sees them updated): `epoch`-driven
 * `pctTrain`, `trainIter`, and the `training` flag. `pctTrain` is accumulated exactly as the
 * reference does (`+= 1/(nIter·nEpoch)` after each training batch), float error included, so
 * schedules see the same positions.
 */
export class TrainEval implements Callback {
  readonly name = "TrainEval";
  readonly order = -10;
  readonly runValid = false;

  after_create(learn: Learner): void {
    learn.nEpoch = 1;
  }

  before_fit(learn: Learner): void {
    learn.epoch = 0;
    learn.trainIter = 0;
    learn.pctTrain = 0;
  }

  before_train(learn: Learner): void {
    learn.pctTrain = learn.epoch / learn.nEpoch;
    learn.training = true;
  }

  before_validate(learn: Learner): void {
    learn.training = false;
  }

  after_batch(learn: Learner): void {
    learn.pctTrain += 1 / (learn.nIter * learn.nEpoch);
    learn.trainIter += 1;
  }
}
