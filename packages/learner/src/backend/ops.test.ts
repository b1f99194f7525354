// The ops the project trains and decodes with, on the fast backend, checked against cpu.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import type { BackendName } from "./loaders.js";
import { expectClose, paritySubject, seeded, valuesOn } from "./test-backends.js";

// float32 kernels summing at most a few hundred products of values in [-1, 1].
// Measured: under 10% of this tolerance on tensorflow and on wasm.
const TOL = { rtol: 1e-5, atol: 1e-5 };
// Interpolating pixel values in [0, 200]: measured up to 60% of TOL on wasm, so 10x looser.
const IMAGE_TOL = { rtol: 1e-4, atol: 1e-4 };

const rnd = (seed: number, shape: number[]) =>
  tf.tensor(seeded(seed)(shape.reduce((a, b) => a * b, 1)), shape);

/** Each case returns the op's outputs and its gradients, all compared element by element. */
const cases: Record<string, () => tf.Tensor[]> = {
  "conv2d 3x3 same, stride 1, and its gradients": () => {
    const x = rnd(1, [2, 9, 9, 3]) as tf.Tensor4D;
    const w = rnd(2, [3, 3, 3, 5]) as tf.Tensor4D;
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same");
    const dy = rnd(3, [2, 9, 9, 5]);
    return [f(x, w), ...tf.grads(f)([x, w], dy)];
  },
  "conv2d 3x3 valid, stride 2, dilation-free, and its gradients": () => {
    const x = rnd(4, [2, 11, 11, 4]) as tf.Tensor4D;
    const w = rnd(5, [3, 3, 4, 6]) as tf.Tensor4D;
    const f = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, "valid");
    const dy = rnd(6, [2, 5, 5, 6]);
    return [f(x, w), ...tf.grads(f)([x, w], dy)];
  },
  "depthwise conv2d and its gradients": () => {
    const x = rnd(7, [2, 8, 8, 3]) as tf.Tensor4D;
    const w = rnd(8, [3, 3, 3, 2]) as tf.Tensor4D;
    const f = (a: tf.Tensor, b: tf.Tensor) =>
      tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "same");
    const dy = rnd(9, [2, 8, 8, 6]);
    return [f(x, w), ...tf.grads(f)([x, w], dy)];
  },
  "batch norm with batch statistics and its gradients": () => {
    const x = rnd(10, [4, 5, 5, 6]);
    const gamma = rnd(11, [6]).add(1.5);
    const beta = rnd(12, [6]);
    const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(a, [0, 1, 2]);
      return tf.batchNorm(a, mean, variance, b, g, 1e-5);
    };
    const dy = rnd(13, [4, 5, 5, 6]);
    return [f(x, gamma, beta), ...tf.grads(f)([x, gamma, beta], dy)];
  },
  "max and average pooling and their gradients": () => {
    const x = rnd(14, [2, 8, 8, 3]) as tf.Tensor4D;
    const max = (a: tf.Tensor) => tf.maxPool(a as tf.Tensor4D, 3, 2, "same");
    const avg = (a: tf.Tensor) => tf.avgPool(a as tf.Tensor4D, 2, 2, "valid");
    return [max(x), tf.grad(max)(x, rnd(15, [2, 4, 4, 3])), avg(x), tf.grad(avg)(x, rnd(16, [2, 4, 4, 3]))];
  },
  "matMul (plain and transposed) and its gradients": () => {
    const a = rnd(17, [16, 24]);
    const b = rnd(18, [24, 8]);
    const f = (p: tf.Tensor, q: tf.Tensor) => tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D);
    return [f(a, b), tf.matMul(b, a, true, true), ...tf.grads(f)([a, b], rnd(19, [16, 8]))];
  },
  "softmax cross-entropy (with label smoothing) and its gradient": () => {
    const logits = rnd(20, [6, 5]).mul(4);
    const labels = tf.oneHot(tf.tensor1d([0, 3, 4, 1, 2, 3], "int32"), 5);
    const f = (l: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, l, undefined, 0.1);
    return [f(logits), tf.grad(f)(logits), tf.softmax(logits), tf.logSoftmax(logits)];
  },
  "bilinear resize and a projective transform (image augmentation)": () => {
    const img = rnd(21, [1, 10, 12, 3]).add(1).mul(100) as tf.Tensor4D;
    const m = tf.tensor2d([[1.1, 0.1, -1, 0.05, 0.9, 0.5, 0, 0]]);
    return [tf.image.resizeBilinear(img, [7, 9]), tf.image.transform(img, m, "bilinear")];
  },
};

describe("ops on the fast backend match cpu", () => {
  let subject: Exclude<BackendName, "cpu">;
  beforeAll(async () => {
    subject = await paritySubject();
  });

  for (const [name, fn] of Object.entries(cases)) {
    const tol = name.includes("image") ? IMAGE_TOL : TOL;
    it(`${name} (atol ${tol.atol}, rtol ${tol.rtol})`, async () => {
      const fast = await valuesOn(subject, fn);
      const reference = await valuesOn("cpu", fn);
      expect(fast.length).toBe(reference.length);
      fast.forEach((values, i) => {
        expectClose(values, reference[i] as number[], tol, `${name}: output ${i} on ${subject} vs cpu`);
      });
    });
  }
});

// Agreeing with cpu is not enough where cpu itself could be wrong: the gradients the fast backend
// computes must also match central finite differences along a random direction. The ops below
// are linear or piecewise linear in x, and x holds distinct values 0.02 apart while the step
// moves each by at most 0.005, so no maximum changes place and the quotient is exact up to
// float32 rounding (differencing the outputs before summing keeps that rounding small).
const gradCases: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  "conv2d (filter fixed)": (x) =>
    tf.conv2d(x as tf.Tensor4D, rnd(31, [3, 3, 3, 4]) as tf.Tensor4D, 1, "same"),
  "maxPool 3x3 stride 2 same": (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, "same"),
  "avgPool 2x2 stride 2 valid": (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, "valid"),
};

describe("gradients on the fast backend match finite differences", () => {
  for (const [name, op] of Object.entries(gradCases)) {
    it(`${name} (relative error below 1e-3)`, async () => {
      const subject = await paritySubject();
      const [pair] = await valuesOn(subject, () => {
        const shape = [2, 8, 8, 3];
        const n = 2 * 8 * 8 * 3;
        const order = seeded(32)(n)
          .map((r, i) => [r, i] as const)
          .sort((a, b) => a[0] - b[0]);
        const x = tf.tensor(
          order.map(([, i]) => i * 0.02),
          shape,
        );
        const v = rnd(33, shape);
        const dy = rnd(34, op(x).shape);
        const eps = 5e-3;
        const numeric = op(x.add(v.mul(eps)))
          .sub(op(x.sub(v.mul(eps))))
          .mul(dy)
          .sum()
          .div(2 * eps);
        const analytic = tf
          .grad((a: tf.Tensor) => op(a).mul(dy).sum())(x)
          .mul(v)
          .sum();
        return [tf.stack([analytic, numeric])];
      });
      const [analytic, numeric] = pair as [number, number];
      expect(Math.abs(analytic - numeric)).toBeLessThan(1e-3 * Math.max(1, Math.abs(numeric)));
    });
  }
});
