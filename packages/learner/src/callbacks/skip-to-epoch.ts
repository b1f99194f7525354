import type { Callback } from "../callback.js";
import { CancelEpochException } from "../exceptions.js";
import type { Learner } from "../learner.js";

/** A loader whose next iteration (and so its shuffle order) is a settable counter, as `DataLoader.epoch`. */
interface EpochCounted {
  epoch: number;
}

function isEpochCounted(dl: unknown): dl is EpochCounted {
  if (dl === null || typeof dl !== "object") return false;
  let proto: object | null = dl;
  while (proto) {
    const desc = Object.getOwnPropertyDescriptor(proto, "epoch");
    if (desc) return typeof (dl as EpochCounted).epoch === "number" && (desc.writable === true || !!desc.set);
    proto = Object.getPrototypeOf(proto);
  }
  return false;
}

/**
 * Resumes a fit at `startEpoch` (order 70): earlier epochs are cancelled in `before_epoch`, so their
 * `after_cancel_epoch`/`after_epoch` still fire, and TrainEval's `pctTrain = epoch/nEpoch` puts
 * schedules at the right position when training starts. A skipped epoch also consumes its loaders'
 * iteration (`DataLoader.epoch += 1` on train and valid), as if it had run: a resumed run then sees the
 * same shuffle orders for its remaining epochs as the original run did, provided both learners' loaders
 * started their fits at the same iteration (e.g. both fresh). `fit(n, { startEpoch })` adds it.
 */
export class SkipToEpoch implements Callback {
  readonly name = "SkipToEpoch";
  readonly order = 70;

  constructor(readonly startEpoch: number) {}

  before_epoch(learn: Learner): void {
    if (learn.epoch >= this.startEpoch) return;
    for (const dl of [learn.dls.train, learn.dls.valid]) {
      if (isEpochCounted(dl)) dl.epoch += 1;
    }
    throw new CancelEpochException();
  }
}
