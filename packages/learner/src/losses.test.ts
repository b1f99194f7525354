import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "./backend.js";
import { bceWithLogitsLoss, crossEntropyLoss, mseLoss, ShapeMismatchError } from "./losses.js";
import { Rng } from "./random.js";

beforeAll(async () => {
  await initBackend();
});

/** Runs `fn`, returns the scalar it produces as a number, and checks nothing else stayed allocated. */
function value(fn: () => tf.Scalar): number {
  const before = tf.memory().numTensors;
  const t = fn();
  const v = t.dataSync()[0] ?? Number.NaN;
  t.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return v;
}

/** Naive cross-entropy of one row of logits, from the definition. */
function ceRow(logits: number[], dist: number[]): number {
  const m = Math.max(...logits);
  const lse = m + Math.log(logits.reduce((a, l) => a + Math.exp(l - m), 0));
  return logits.reduce((a, l, i) => a - (dist[i] ?? 0) * (l - lse), 0);
}

describe("mseLoss", () => {
  it("is the mean squared error over all elements, flattening [n,1] against [n]", () => {
    const pred = tf.tensor2d([[1], [2], [3]]);
    const targ = tf.tensor1d([1.5, 2, 5]);
    expect(value(() => mseLoss(pred, targ))).toBeCloseTo((0.25 + 0 + 4) / 3, 5);
    // int32 targets are cast, not rejected.
    const ti = tf.tensor1d([1, 2, 5], "int32");
    expect(value(() => mseLoss(pred, ti))).toBeCloseTo((0 + 0 + 4) / 3, 5);
    tf.dispose([pred, targ, ti]);
  });

  it("names both shapes when they cannot pair up", () => {
    const pred = tf.zeros([4, 1]);
    const half = tf.zeros([2]);
    const transposed = tf.zeros([1, 4]);
    const before = tf.memory().numTensors;
    expect(() => mseLoss(pred, half)).toThrow(ShapeMismatchError);
    expect(() => mseLoss(pred, half)).toThrow(/mseLoss: pred shape \[4,1\] and targ shape \[2\]/);
    expect(() => mseLoss(pred, transposed)).toThrow(/pred shape \[4,1\] and targ shape \[1,4\]/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([pred, half, transposed]);
  });
});

describe("crossEntropyLoss", () => {
  const logits = [
    [1, 2, 3],
    [1, 1, 1],
    [-2, 0.5, 4],
  ];
  const labels = [2, 0, 1];

  it("matches the definition for int32 class indices", () => {
    const pred = tf.tensor2d(logits);
    const targ = tf.tensor1d(labels, "int32");
    const expected =
      logits.reduce(
        (a, row, i) =>
          a +
          ceRow(
            row,
            [0, 1, 2].map((c) => +(c === labels[i])),
          ),
        0,
      ) / 3;
    expect(value(() => crossEntropyLoss(pred, targ))).toBeCloseTo(expected, 5);
    tf.dispose([pred, targ]);
  });

  it("gives the same value for int, float-index, [n,1] and one-hot targets", () => {
    const pred = tf.tensor2d(logits);
    const targets = [
      tf.tensor1d(labels, "int32"),
      tf.tensor1d(labels, "float32"),
      tf.tensor2d(labels, [3, 1], "int32"),
      tf.oneHot(tf.tensor1d(labels, "int32"), 3),
    ];
    const values = targets.map((t) => value(() => crossEntropyLoss(pred, t)));
    for (const v of values) expect(v).toBeCloseTo(values[0] ?? Number.NaN, 6);
    tf.dispose([pred, ...targets]);
  });

  it("accepts soft target distributions", () => {
    const pred = tf.tensor2d([logits[0] ?? []]);
    const targ = tf.tensor2d([[0.5, 0.5, 0]]);
    expect(value(() => crossEntropyLoss(pred, targ))).toBeCloseTo(ceRow(logits[0] ?? [], [0.5, 0.5, 0]), 5);
    tf.dispose([pred, targ]);
  });

  it("flattens leading axes (per-pixel classification)", () => {
    const rng = new Rng(1);
    const raw = Array.from(rng.normalArray(2 * 2 * 2 * 3, 0, 3));
    const lab = [0, 2, 1, 1, 2, 0, 0, 1];
    const pred = tf.tensor4d(raw, [2, 2, 2, 3]);
    const targ = tf.tensor3d(lab, [2, 2, 2], "int32");
    let expected = 0;
    for (let p = 0; p < 8; p++) {
      expected += ceRow(
        raw.slice(3 * p, 3 * p + 3),
        [0, 1, 2].map((c) => +(c === lab[p])),
      );
    }
    expect(value(() => crossEntropyLoss(pred, targ))).toBeCloseTo(expected / 8, 5);
    tf.dispose([pred, targ]);
  });

  it("stays finite for extreme logits, with the exact value and gradient", () => {
    const pred = tf.tensor2d([
      [1000, -1000],
      [-1000, 1000],
    ]);
    const targ = tf.tensor1d([1, 1], "int32");
    // Row 0: the true class is 2000 below the max, so the loss is 2000; row 1: 0.
    expect(value(() => crossEntropyLoss(pred, targ))).toBeCloseTo(1000, 3);
    const g = tf.grad((p: tf.Tensor) => crossEntropyLoss(p, targ))(pred);
    // d/dlogits = (softmax - onehot) / n
    expect(Array.from(g.dataSync())).toEqual([0.5, -0.5, 0, 0]);
    tf.dispose([pred, targ, g]);
  });

  it("rejects targets that fit neither form, naming both shapes", () => {
    const pred = tf.zeros([4, 3]);
    const wrongBatch = tf.zeros([3], "int32");
    const wrongClasses = tf.zeros([4, 2]);
    expect(() => crossEntropyLoss(pred, wrongBatch)).toThrow(
      /crossEntropyLoss: pred shape \[4,3\] and targ shape \[3\] do not match \(targ must be class indices of shape \[4\] or one-hot of shape \[4,3\]\)/,
    );
    expect(() => crossEntropyLoss(pred, wrongClasses)).toThrow(ShapeMismatchError);
    const scalar = tf.scalar(1);
    expect(() => crossEntropyLoss(scalar, scalar)).toThrow(/pred needs a class axis/);
    tf.dispose([pred, wrongBatch, wrongClasses, scalar]);
  });
});

describe("bceWithLogitsLoss", () => {
  it("matches -[z·log σ(x) + (1-z)·log(1-σ(x))] for moderate logits", () => {
    const rng = new Rng(2);
    const x = Array.from(rng.normalArray(12, 0, 3));
    const z = x.map(() => rng.uniform());
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const expected =
      x.reduce((a, xi, i) => {
        const zi = z[i] ?? 0;
        return a - (zi * Math.log(sig(xi)) + (1 - zi) * Math.log(1 - sig(xi)));
      }, 0) / x.length;
    const pred = tf.tensor2d(x, [6, 2]);
    const targ = tf.tensor2d(z, [6, 2]);
    expect(value(() => bceWithLogitsLoss(pred, targ))).toBeCloseTo(expected, 5);
    tf.dispose([pred, targ]);
  });

  it("stays finite for extreme logits", () => {
    const pred = tf.tensor1d([1e4, -1e4, 1e4, -1e4]);
    const targ = tf.tensor1d([0, 1, 1, 0]);
    // Wrong with confidence: loss |x| each; right with confidence: 0.
    expect(value(() => bceWithLogitsLoss(pred, targ))).toBeCloseTo((1e4 + 1e4) / 4, 2);
    tf.dispose([pred, targ]);
  });

  it("has the exact gradient (σ(x) - z) / n, including at x = 0", () => {
    const pred = tf.tensor1d([0, 0, 2, -1]);
    const targ = tf.tensor1d([1, 0, 1, 0]);
    const g = tf.grad((p: tf.Tensor) => bceWithLogitsLoss(p, targ))(pred);
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const expected = [sig(0) - 1, sig(0), sig(2) - 1, sig(-1)].map((v) => v / 4);
    const got = Array.from(g.dataSync());
    got.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i] ?? Number.NaN, 6);
    });
    tf.dispose([pred, targ, g]);
  });

  it("leaks nothing when differentiated inside variableGrads", () => {
    const w = tf.variable(tf.tensor1d([0.5, -0.5]));
    const targ = tf.tensor1d([1, 0]);
    const before = tf.memory().numTensors;
    const { value: v, grads } = tf.variableGrads(() => bceWithLogitsLoss(w, targ));
    tf.dispose([v, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, targ]);
  });

  it("names both shapes on mismatch", () => {
    const pred = tf.zeros([4]);
    const targ = tf.zeros([5]);
    expect(() => bceWithLogitsLoss(pred, targ)).toThrow(
      /bceWithLogitsLoss: pred shape \[4\] and targ shape \[5\]/,
    );
    tf.dispose([pred, targ]);
  });
});
