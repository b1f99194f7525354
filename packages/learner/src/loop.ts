/**
 * The inner mechanics of `fit`: the event-wrapped phases and one batch. A batch runs under
 * `tf.tidy`; its `xb`, `yb`, `pred` and `loss` are freed after `after_batch`, and gradients never
 * outlive it. Nothing here reads from the device.
 */

import * as tf from "@tensorflow/tfjs";
import type { EventName } from "./events.js";
import {
  CancelBackwardException,
  CancelBatchException,
  CancelStepException,
  LearnerError,
} from "./exceptions.js";
import type { Learner } from "./learner.js";
import type { BatchLoader } from "./learner-options.js";

/** Fires one event (callbacks, then bus listeners). */
export type Fire = (event: EventName) => void;
type CancelClass = new () => Error;

/** `before_X; body`, `CancelXException` → `after_cancel_X`, then `after_X`; other errors skip `after_X`. */
export async function phase(fire: Fire, kind: string, cancel: CancelClass, body: () => Promise<void>) {
  try {
    fire(`before_${kind}` as EventName);
    await body();
  } catch (e) {
    if (!(e instanceof cancel)) throw e;
    fire(`after_cancel_${kind}` as EventName);
  }
  fire(`after_${kind}` as EventName);
}

/** The synchronous twin of `phase`, for the levels inside a batch. */
export function syncPhase(fire: Fire, kind: string, cancel: CancelClass, body: () => void): void {
  try {
    fire(`before_${kind}` as EventName);
    body();
  } catch (e) {
    if (!(e instanceof cancel)) throw e;
    fire(`after_cancel_${kind}` as EventName);
  }
  fire(`after_${kind}` as EventName);
}

/** Runs every batch of one training or validation phase through `BatchStep`. */
export async function runLoader(
  learn: Learner,
  fire: Fire,
  step: BatchStep,
  kind: "train" | "validate",
  dl: BatchLoader,
  cancel: CancelClass,
): Promise<void> {
  learn.dl = dl;
  learn.nIter = dl.length;
  await phase(fire, kind, cancel, async () => {
    let i = 0;
    for await (const [xb, yb] of dl) step.run(i++, xb, yb);
  });
}

/** One batch: forward, loss and (training) backward, step and zeroGrad, with their events. */
export class BatchStep {
  readonly #learn: Learner;
  readonly #fire: Fire;
  /** Tensors of this batch that must be freed explicitly (the loader's, and those kept past the tape). */
  #owned: tf.Tensor[] = [];
  /** Tensors a callback took over with `retain`: not freed at the end of the batch. */
  #retained = new Set<tf.Tensor>();

  constructor(learn: Learner, fire: Fire) {
    this.#learn = learn;
    this.#fire = fire;
  }

  run(iter: number, xb: tf.Tensor, yb: tf.Tensor): void {
    const learn = this.#learn;
    learn.iter = iter;
    learn.xb = xb;
    learn.yb = yb;
    this.#owned = [xb, yb];
    try {
      tf.tidy(() => syncPhase(this.#fire, "batch", CancelBatchException, () => this.#body()));
    } finally {
      learn.opt?.zeroGrad();
      this.release();
    }
  }

  /** Takes `t` out of the end-of-batch disposal (and out of the batch's tidy): the caller owns it now. */
  retain<T extends tf.Tensor>(t: T): T {
    if (!t.kept) tf.keep(t);
    this.#retained.add(t);
    return t;
  }

  /** Frees the current batch's tensors (except retained ones) and clears `xb`, `yb`, `pred`, `loss`. */
  release(): void {
    const learn = this.#learn;
    for (const t of [...this.#owned, learn.xb, learn.yb, learn.pred, learn.loss]) {
      if (t && !this.#retained.has(t)) t.dispose();
    }
    this.#owned = [];
    this.#retained.clear();
    learn.xb = learn.yb = learn.pred = learn.loss = undefined;
  }

  /** Keeps the current pred/loss alive past the gradient tape's own tidy; freed by `release`. */
  #keepOutputs(): void {
    for (const t of [this.#learn.pred, this.#learn.loss]) {
      if (t && !t.kept) this.#owned.push(tf.keep(t));
    }
  }

  #forward(): void {
    const learn = this.#learn;
    learn.pred = learn.module.call(learn.xb as tf.Tensor, { training: learn.training });
    this.#keepOutputs();
    this.#fire("after_pred");
    this.#keepOutputs();
    learn.loss = learn.lossFunc(learn.pred as tf.Tensor, learn.yb as tf.Tensor);
    this.#keepOutputs();
    this.#fire("after_loss");
    this.#keepOutputs();
  }

  #body(): void {
    const learn = this.#learn;
    if (!learn.training) {
      this.#forward();
      return;
    }
    const opt = learn.opt;
    if (!opt) throw new LearnerError("training needs an optimizer: call createOpt() first");
    const params = opt.trainableParams();
    let inBackward = false;
    let failure: { error: unknown } | undefined;
    // The forward pass runs inside the tape, so after_pred/after_loss/before_backward handlers can
    // still change what is differentiated. An error inside the tape is held and rethrown after the
    // engine has finished (and freed) the tape: throwing through it would leak its saved tensors.
    const tape = (): tf.Scalar => {
      try {
        this.#forward();
        inBackward = true;
        this.#fire("before_backward");
        this.#keepOutputs();
        const loss = learn.loss as tf.Tensor;
        if (loss.rank !== 0) {
          throw new LearnerError(`lossFunc must return a scalar, got shape [${loss.shape}]`);
        }
        return loss as tf.Scalar;
      } catch (error) {
        failure = { error };
        return tf.scalar(0);
      }
    };
    const grads = new Map<tf.Variable, tf.Tensor>();
    try {
      if (params.length) {
        const res = tf.engine().gradients(tape, params, undefined, true);
        for (let i = 0; i < params.length && !failure; i++) {
          const g = res.grads[i];
          if (g) grads.set(params[i] as tf.Variable, g);
        }
      } else tape();
      if (failure) throw failure.error;
    } catch (e) {
      if (!(inBackward && e instanceof CancelBackwardException)) throw e;
      this.#fire("after_cancel_backward");
    }
    opt.setGrads(grads);
    this.#fire("after_backward");
    syncPhase(this.#fire, "step", CancelStepException, () => opt.step());
    opt.zeroGrad();
  }
}
