/**
 * Metrics: `(pred, targ) => tf.Scalar` functions for one batch, and `Metric` accumulators that turn
 * them into an exact epoch value.
 *
 * Over an epoch, a metric keeps a running sum and a count on the device, so accumulating a batch
 * never reads back from the device; `value()` reads once. The built-ins accumulate per element,
 * so the epoch value is the metric of the whole epoch, not a mean of batch values:
 * `accuracy`/`errorRate`/`mae` are means over every item (the batch-size-weighted mean of the batch
 * values), and `rmse` is the square root of the epoch's mean squared error. Any other function is
 * averaged with batch-size weights (the reference's `AvgMetric`).
 */

import * as tf from "@tensorflow/tfjs";
import { checkFlatPair, classTargetKind } from "./losses.js";

/** A metric of one batch: a scalar, lower or higher is better depending on the metric. */
export type MetricFunc = (pred: tf.Tensor, targ: tf.Tensor) => tf.Scalar;

/** A batch function that also knows how to accumulate itself exactly over an epoch. */
export interface EpochMetricFunc extends MetricFunc {
  /** The column name (snake_case, as in the reference's epoch table). */
  readonly metricName: string;
  /** A fresh accumulator for this metric. */
  createMetric(): Metric;
}

/**
 * An epoch accumulator. `accumulate` is cheap (device-side adds, safe inside `tf.tidy`), `value` syncs
 * once. It holds one scalar tensor from the first `accumulate` until `reset`, so call `reset` when done.
 */
export interface Metric {
  readonly name: string;
  /** Frees the running total and starts over. */
  reset(): void;
  /** Adds one batch; `bs` (default `pred.shape[0]`) weights batch-level metrics. */
  accumulate(pred: tf.Tensor, targ: tf.Tensor, bs?: number): void;
  /** The epoch value so far; NaN before any batch. */
  value(): number;
}

/** A weighted mean kept on the device: add scalar tensors with weights, read the mean once. */
export class WeightedMean {
  #total: tf.Scalar | undefined;
  #weight = 0;

  /** Adds `weight · mean` (e.g. a batch mean loss and its batch size); `mean` stays the caller's. */
  addMean(mean: tf.Scalar, weight: number): void {
    this.add(() => ({ sum: tf.mul(mean, weight) as tf.Scalar, weight }));
  }

  /**
   * Adds the `sum` and `weight` that `contribution` returns. It runs inside a tidy (its intermediates
   * are freed), and if it throws nothing changes.
   */
  add(contribution: () => { sum: tf.Scalar; weight: number }): void {
    const previous = this.#total;
    let weight = 0;
    const next = tf.tidy(() => {
      const c = contribution();
      if (!(Number.isFinite(c.weight) && c.weight >= 0)) {
        throw new RangeError(`WeightedMean: weight must be a finite non-negative number, got ${c.weight}`);
      }
      weight = c.weight;
      const sum = c.sum.toFloat().reshape([]) as tf.Scalar;
      return previous ? (tf.add(previous, sum) as tf.Scalar) : sum;
    });
    // Kept, so an enclosing tidy (the training step) does not free the running total.
    this.#total = tf.keep(next);
    previous?.dispose();
    this.#weight += weight;
  }

  /** Total weight added since the last reset. */
  get weight(): number {
    return this.#weight;
  }

  /** The weighted mean (one device read); NaN when nothing has been added. */
  mean(): number {
    if (!this.#total || this.#weight === 0) return Number.NaN;
    return (this.#total.dataSync()[0] ?? Number.NaN) / this.#weight;
  }

  /** Frees the device total. */
  reset(): void {
    this.#total?.dispose();
    this.#total = undefined;
    this.#weight = 0;
  }
}

/** "errorRate" → "error_rate": metric columns read like the reference's table. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/** The reference's `AvgMetric`: the batch values of `fn` averaged with batch-size weights. */
export function avgMetric(fn: MetricFunc, name: string = snakeCase(fn.name || "metric")): Metric {
  const mean = new WeightedMean();
  return {
    name,
    reset: () => mean.reset(),
    accumulate: (pred, targ, bs = pred.shape[0] ?? 1) =>
      mean.add(() => ({ sum: tf.mul(fn(pred, targ), bs) as tf.Scalar, weight: bs })),
    value: () => mean.mean(),
  };
}

/**
 * A metric that is a function of the mean of a per-element quantity over the whole epoch:
 * `finalize(sum of perElement / number of elements)`. Exact over an epoch by construction.
 */
export function elementMeanMetric(
  name: string,
  perElement: (pred: tf.Tensor, targ: tf.Tensor) => tf.Tensor,
  finalize: (mean: number) => number = (m) => m,
): Metric {
  const mean = new WeightedMean();
  return {
    name,
    reset: () => mean.reset(),
    accumulate: (pred, targ) =>
      mean.add(() => {
        const e = perElement(pred, targ);
        return { sum: tf.sum(e) as tf.Scalar, weight: e.size };
      }),
    value: () => finalize(mean.mean()),
  };
}

function epochMetric(
  funcName: string,
  metricName: string,
  perElement: (pred: tf.Tensor, targ: tf.Tensor) => tf.Tensor,
  root = false,
): EpochMetricFunc {
  const batch = (pred: tf.Tensor, targ: tf.Tensor): tf.Scalar =>
    tf.tidy(() => {
      const m = tf.mean(perElement(pred, targ)) as tf.Scalar;
      return root ? (tf.sqrt(m) as tf.Scalar) : m;
    });
  Object.defineProperty(batch, "name", { value: funcName });
  return Object.assign(batch, {
    metricName,
    createMetric: () => elementMeanMetric(metricName, perElement, root ? Math.sqrt : undefined),
  });
}

function correct(pred: tf.Tensor, targ: tf.Tensor, funcName: string): tf.Tensor {
  const kind = classTargetKind(funcName, pred, targ);
  const predicted = tf.argMax(pred, -1);
  const actual = kind === "distribution" ? tf.argMax(targ, -1) : targ.reshape(predicted.shape).toInt();
  return tf.equal(predicted, actual).toFloat();
}

/**
 * Fraction of positions whose arg-max logit is the target class. `pred` `[...lead, C]`; `targ`
 * class indices `lead` (int32 or integral floats) or one-hot `[...lead, C]`.
 */
export const accuracy: EpochMetricFunc = epochMetric("accuracy", "accuracy", (p, t) =>
  correct(p, t, "accuracy"),
);

/** `1 - accuracy`. */
export const errorRate: EpochMetricFunc = epochMetric("errorRate", "error_rate", (p, t) =>
  tf.sub(1, correct(p, t, "errorRate")),
);

/** Root mean squared error; over an epoch, the root of the epoch's mean squared error. */
export const rmse: EpochMetricFunc = epochMetric(
  "rmse",
  "rmse",
  (p, t) => {
    checkFlatPair("rmse", p, t);
    return tf.squaredDifference(p.reshape([-1]), t.reshape([-1]).toFloat());
  },
  true,
);

/** Mean absolute error over all elements. */
export const mae: EpochMetricFunc = epochMetric("mae", "mae", (p, t) => {
  checkFlatPair("mae", p, t);
  return tf.abs(tf.sub(p.reshape([-1]), t.reshape([-1]).toFloat()));
});

/**
 * What the Learner does with each entry of `metrics`: an `EpochMetricFunc` gets its exact accumulator,
 * another function is batch-size averaged (`avgMetric`), a `Metric` is used as is.
 */
export function toMetric(m: Metric | MetricFunc): Metric {
  if (typeof m !== "function") return m;
  const epoch = m as Partial<EpochMetricFunc>;
  return typeof epoch.createMetric === "function" ? epoch.createMetric() : avgMetric(m);
}
