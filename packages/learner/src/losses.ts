/**
 * Loss functions, flattened like the reference's `*LossFlat` classes: any leading shape is folded
 * into one batch of positions and the mean over all positions is returned. Each is a plain
 * `(pred, targ) => tf.Scalar`, safe to call inside or outside `tf.tidy`/`tf.variableGrads`.
 *
 * | here                | reference               |
 * |---------------------|-------------------------|
 * | `mseLoss`           | `MSELossFlat`           |
 * | `crossEntropyLoss`  | `CrossEntropyLossFlat`  |
 * | `bceWithLogitsLoss` | `BCEWithLogitsLossFlat` |
 */

import * as tf from "@tensorflow/tfjs";

/** What the Learner calls to compute the loss of a batch: a scalar mean. */
export type LossFunc = (pred: tf.Tensor, targ: tf.Tensor) => tf.Scalar;

/** `pred` and `targ` shapes that a loss or metric cannot pair up; the message names both shapes. */
export class ShapeMismatchError extends Error {
  override name = "ShapeMismatchError";
  constructor(
    readonly funcName: string,
    readonly predShape: readonly number[],
    readonly targShape: readonly number[],
    expectation: string,
  ) {
    super(
      `${funcName}: pred shape ${fmt(predShape)} and targ shape ${fmt(targShape)} do not match (${expectation})`,
    );
  }
}

function fmt(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Checks that `pred` and `targ` pair up element by element once flattened: the same number of
 * elements and, when both have a batch axis, the same batch size (so `[bs, 1]` vs `[bs]` is fine but a
 * transposed or half-sized target is not).
 */
export function checkFlatPair(funcName: string, pred: tf.Tensor, targ: tf.Tensor): void {
  const batchOk = pred.rank === 0 || targ.rank === 0 || pred.shape[0] === targ.shape[0];
  if (pred.size !== targ.size || !batchOk) {
    throw new ShapeMismatchError(
      funcName,
      pred.shape,
      targ.shape,
      "need the same number of elements and the same batch size",
    );
  }
}

/** How a class target is given: one class index per position, or a distribution (one-hot) per position. */
export type ClassTargetKind = "index" | "distribution";

/**
 * Classifies `targ` against logits `pred` of shape `[...lead, C]`: `lead` (or `[...lead, 1]`) is one
 * index per position; the same shape as `pred` is a one-hot or soft distribution.
 */
export function classTargetKind(funcName: string, pred: tf.Tensor, targ: tf.Tensor): ClassTargetKind {
  if (pred.rank < 1) {
    throw new ShapeMismatchError(funcName, pred.shape, targ.shape, "pred needs a class axis");
  }
  const lead = pred.shape.slice(0, -1);
  if (sameShape(targ.shape, pred.shape)) return "distribution";
  if (sameShape(targ.shape, lead) || sameShape(targ.shape, [...lead, 1])) return "index";
  throw new ShapeMismatchError(
    funcName,
    pred.shape,
    targ.shape,
    `targ must be class indices of shape ${fmt(lead)} or one-hot of shape ${fmt(pred.shape)}`,
  );
}

/** Mean squared error over all elements (reference `MSELossFlat`); `targ` is cast to float32. */
export function mseLoss(pred: tf.Tensor, targ: tf.Tensor): tf.Scalar {
  checkFlatPair("mseLoss", pred, targ);
  return tf.tidy(() => tf.mean(tf.squaredDifference(pred.reshape([-1]), targ.reshape([-1]).toFloat())));
}

/**
 * Cross-entropy of logits `pred` `[...lead, C]` against class indices (`int32`, or float holding
 * integers) of shape `lead`, or one-hot / soft targets of `pred`'s shape; mean over positions
 * (reference `CrossEntropyLossFlat`). Uses log-softmax, so extreme logits stay finite. An index outside
 * [0, C) contributes 0 (checking it would cost a device read per batch).
 */
export function crossEntropyLoss(pred: tf.Tensor, targ: tf.Tensor): tf.Scalar {
  const kind = classTargetKind("crossEntropyLoss", pred, targ);
  const nClasses = pred.shape[pred.rank - 1] ?? 0;
  return tf.tidy(() => {
    const logp = tf.logSoftmax(pred.reshape([-1, nClasses]));
    const dist =
      kind === "index"
        ? tf.oneHot(targ.reshape([-1]).toInt(), nClasses)
        : targ.reshape([-1, nClasses]).toFloat();
    return tf.neg(tf.mean(tf.sum(tf.mul(dist, logp), -1)));
  });
}

// Value and gradient are written out so both are exact and stable: the usual autodiff of the
// max/abs form gives -z instead of 0.5 - z at x = 0, i.e. a wrong first step from zero-initialised weights.
const bceWithLogitsMean = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, z, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([x, z]);
  const perElement = tf.add(tf.sub(tf.relu(x), tf.mul(x, z)), tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
  return {
    value: tf.mean(perElement) as tf.Scalar,
    gradFunc: (dy: tf.Scalar, saved: tf.Tensor[]) => {
      const [xs, zs] = saved as [tf.Tensor, tf.Tensor];
      const scale = tf.div(dy, xs.size);
      return [tf.mul(tf.sub(tf.sigmoid(xs), zs), scale), tf.mul(tf.neg(xs), scale)];
    },
  };
});

/**
 * Binary cross-entropy of logits `pred` against targets in [0, 1] of the same number of elements,
 * mean over all elements (reference `BCEWithLogitsLossFlat`), computed as
 * `max(x, 0) - x·z + log(1 + exp(-|x|))` so no logit overflows.
 */
export function bceWithLogitsLoss(pred: tf.Tensor, targ: tf.Tensor): tf.Scalar {
  checkFlatPair("bceWithLogitsLoss", pred, targ);
  return tf.tidy(() => bceWithLogitsMean(pred.reshape([-1]).toFloat(), targ.reshape([-1]).toFloat()));
}
