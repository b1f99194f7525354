import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { initBackend } from "./backend.js";
import { ShapeMismatchError } from "./losses.js";
import {
  accuracy,
  avgMetric,
  errorRate,
  type Metric,
  mae,
  rmse,
  snakeCase,
  toMetric,
  WeightedMean,
} from "./metrics.js";

beforeAll(async () => {
  await initBackend();
});

afterEach(() => {
  vi.restoreAllMocks();
});

function read(fn: () => tf.Scalar): number {
  const t = fn();
  const v = t.dataSync()[0] ?? Number.NaN;
  t.dispose();
  return v;
}

/** Three classification batches of unequal size (3, 2, 1): logits and integer labels. */
const clsBatches: Array<[number[][], number[]]> = [
  [
    [
      [0.1, 0.9, 0],
      [0.8, 0.2, 0],
      [0.3, 0.7, 0],
    ],
    [1, 1, 1],
  ], // 2 of 3 correct
  [
    [
      [0, 0, 5],
      [1, 0, 0],
    ],
    [2, 0],
  ], // 2 of 2
  [[[0, 1, 0]], [2]], // 0 of 1
];

/** Three regression batches of unequal size (3, 1, 2): predictions [n,1] and targets [n]. */
const regBatches: Array<[number[], number[]]> = [
  [
    [1, 2, 3],
    [1, 2, 5],
  ], // squared errors 0, 0, 4
  [[0], [3]], // 9
  [
    [1, 1],
    [0.5, 2],
  ], // 0.25, 1
];

function feed(metric: Metric, kind: "cls" | "reg"): void {
  const batches = kind === "cls" ? clsBatches : regBatches;
  for (const [p, t] of batches) {
    const pred = kind === "cls" ? tf.tensor2d(p as number[][]) : tf.tensor2d(p as number[], [p.length, 1]);
    const targ = kind === "cls" ? tf.tensor1d(t, "int32") : tf.tensor1d(t);
    metric.accumulate(pred, targ);
    tf.dispose([pred, targ]);
  }
}

describe("batch metric functions", () => {
  it("accuracy and errorRate on one batch, with int and one-hot targets", () => {
    const [p, t] = clsBatches[0] ?? [[], []];
    const pred = tf.tensor2d(p);
    const targ = tf.tensor1d(t, "int32");
    const oneHot = tf.oneHot(targ, 3);
    const before = tf.memory().numTensors;
    expect(read(() => accuracy(pred, targ))).toBeCloseTo(2 / 3, 6);
    expect(read(() => accuracy(pred, oneHot))).toBeCloseTo(2 / 3, 6);
    expect(read(() => errorRate(pred, targ))).toBeCloseTo(1 / 3, 6);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([pred, targ, oneHot]);
  });

  it("rmse and mae on one batch flatten [n,1] against [n]", () => {
    const pred = tf.tensor2d([1, 2, 3], [3, 1]);
    const targ = tf.tensor1d([1, 2, 5]);
    expect(read(() => rmse(pred, targ))).toBeCloseTo(Math.sqrt(4 / 3), 5);
    expect(read(() => mae(pred, targ))).toBeCloseTo(2 / 3, 5);
    tf.dispose([pred, targ]);
  });

  it("have readable names: function names camelCase, columns snake_case", () => {
    expect([accuracy.name, errorRate.name, rmse.name, mae.name]).toEqual([
      "accuracy",
      "errorRate",
      "rmse",
      "mae",
    ]);
    expect([accuracy, errorRate, rmse, mae].map((f) => f.metricName)).toEqual([
      "accuracy",
      "error_rate",
      "rmse",
      "mae",
    ]);
    expect(snakeCase("meanIoU2d")).toBe("mean_io_u2d");
  });

  it("name both shapes on a mismatch", () => {
    const pred = tf.zeros([4, 3]);
    const targ = tf.zeros([5], "int32");
    expect(() => accuracy(pred, targ)).toThrow(ShapeMismatchError);
    expect(() => errorRate(pred, targ)).toThrow(/errorRate: pred shape \[4,3\] and targ shape \[5\]/);
    expect(() => rmse(pred, targ)).toThrow(/rmse: pred shape \[4,3\] and targ shape \[5\]/);
    tf.dispose([pred, targ]);
  });
});

describe("epoch accumulation", () => {
  it("accuracy and errorRate are means over all items of batches of unequal size", () => {
    const acc = toMetric(accuracy);
    const err = toMetric(errorRate);
    feed(acc, "cls");
    feed(err, "cls");
    // 4 of 6 correct. (The unweighted mean of batch accuracies would be (2/3 + 1 + 0) / 3 = 5/9.)
    expect(acc.value()).toBeCloseTo(4 / 6, 6);
    expect(err.value()).toBeCloseTo(2 / 6, 6);
    expect(acc.name).toBe("accuracy");
    expect(err.name).toBe("error_rate");
    acc.reset();
    err.reset();
  });

  it("rmse is the root of the epoch's mean squared error, not a mean of batch rmse", () => {
    const m = toMetric(rmse);
    feed(m, "reg");
    // Squared errors 0, 0, 4, 9, 0.25, 1 over 6 items.
    // (Batch-size-weighted batch rmse would be (3·√(4/3) + 3 + 2·√(1.25/2)) / 6 ≈ 1.342.)
    expect(m.value()).toBeCloseTo(Math.sqrt(14.25 / 6), 5);
    m.reset();
  });

  it("mae is the mean absolute error over all items", () => {
    const m = toMetric(mae);
    feed(m, "reg");
    expect(m.value()).toBeCloseTo((0 + 0 + 2 + 3 + 0.5 + 1) / 6, 5);
    m.reset();
  });

  it("a plain function is averaged with batch-size weights, named in snake_case", () => {
    function maxPred(pred: tf.Tensor): tf.Scalar {
      return tf.max(pred);
    }
    const m = toMetric(maxPred);
    expect(m.name).toBe("max_pred");
    feed(m, "reg");
    // Batch maxima 3, 0, 1 with sizes 3, 1, 2.
    expect(m.value()).toBeCloseTo((3 * 3 + 0 * 1 + 1 * 2) / 6, 5);
    m.reset();
    expect(avgMetric(maxPred, "custom").name).toBe("custom");
  });

  it("a Metric object is used as is; each toMetric of a function is a fresh accumulator", () => {
    const mine: Metric = { name: "x", reset() {}, accumulate() {}, value: () => 1 };
    expect(toMetric(mine)).toBe(mine);
    const a = toMetric(accuracy);
    const b = toMetric(accuracy);
    feed(a, "cls");
    expect(b.value()).toBeNaN();
    a.reset();
  });

  it("never reads the device while accumulating, once per value()", () => {
    const m = toMetric(rmse);
    const reads = [
      vi.spyOn(tf.Tensor.prototype, "dataSync"),
      vi.spyOn(tf.Tensor.prototype, "data"),
      vi.spyOn(tf.Tensor.prototype, "arraySync"),
      vi.spyOn(tf.Tensor.prototype, "array"),
    ];
    feed(m, "reg");
    expect(reads.map((r) => r.mock.calls.length)).toEqual([0, 0, 0, 0]);
    m.value();
    expect(reads.reduce((a, r) => a + r.mock.calls.length, 0)).toBe(1);
    m.reset();
  });

  it("holds one tensor until reset, survives an enclosing tidy, and leaks nothing", () => {
    const before = tf.memory().numTensors;
    const m = toMetric(accuracy);
    const pred = tf.tensor2d([[0, 1]]);
    const targ = tf.tensor1d([1], "int32");
    tf.tidy(() => {
      m.accumulate(pred, targ);
      m.accumulate(pred, targ);
    });
    expect(tf.memory().numTensors).toBe(before + 3);
    expect(m.value()).toBe(1);
    m.reset();
    expect(m.value()).toBeNaN();
    tf.dispose([pred, targ]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("a batch that throws changes nothing and leaks nothing", () => {
    const m = toMetric(rmse);
    feed(m, "reg");
    const before = tf.memory().numTensors;
    const pred = tf.zeros([2, 1]);
    const bad = tf.zeros([3]);
    expect(() => m.accumulate(pred, bad)).toThrow(/rmse: pred shape \[2,1\] and targ shape \[3\]/);
    tf.dispose([pred, bad]);
    expect(tf.memory().numTensors).toBe(before);
    expect(m.value()).toBeCloseTo(Math.sqrt(14.25 / 6), 5);
    m.reset();
  });
});

describe("WeightedMean", () => {
  it("averages scalar means with weights and leaves the caller's tensors alone", () => {
    const wm = new WeightedMean();
    const a = tf.scalar(2);
    const b = tf.scalar(5);
    wm.addMean(a, 3);
    wm.addMean(b, 1);
    expect(wm.weight).toBe(4);
    expect(wm.mean()).toBeCloseTo((2 * 3 + 5) / 4, 6);
    expect(a.isDisposed || b.isDisposed).toBe(false);
    expect(() => wm.addMean(a, -1)).toThrow(/weight must be a finite non-negative number, got -1/);
    expect(wm.weight).toBe(4);
    wm.reset();
    tf.dispose([a, b]);
  });
});
