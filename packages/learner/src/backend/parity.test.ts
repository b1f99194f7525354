// The same training steps of a small CNN on the fast backend and on cpu must agree.
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend.js";
import type { BackendName } from "./loaders.js";
import { expectClose, paritySubject, seeded } from "./test-backends.js";

const STEPS = 6;
// float32 on both sides; the backends sum convolutions and reductions in different orders, and
// the difference compounds over the steps. Measured on this model: under 2% of this tolerance
// (relative differences around 1e-7) for tensorflow and for wasm, with oneDNN on or off.
const TOL = { rtol: 1e-5, atol: 1e-6 };

interface Run {
  losses: number[];
  weights: number[][];
}

/**
 * conv3x3(3→8) → batch norm (batch statistics) → relu → maxpool 2 → conv3x3(8→8) → relu →
 * global average pool → dense(8→4) → softmax cross-entropy; plain SGD, lr 0.1.
 */
async function train(backend: BackendName): Promise<Run> {
  await initBackend(backend);
  const before = tf.memory().numTensors;
  const rand = seeded(7);
  const x = tf.tensor4d(rand(8 * 12 * 12 * 3), [8, 12, 12, 3]);
  const labels = rand(8).map((r) => Math.floor((r + 1) * 2));
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, "int32"), 4));
  // Variables outlive tf.tidy; the scaled initial values do not.
  const params = tf.tidy(() => ({
    w1: tf.variable(tf.tensor4d(rand(3 * 3 * 3 * 8), [3, 3, 3, 8]).mul<tf.Tensor4D>(0.3)),
    gamma: tf.variable(tf.ones([8])),
    beta: tf.variable(tf.zeros([8])),
    w2: tf.variable(tf.tensor4d(rand(3 * 3 * 8 * 8), [3, 3, 8, 8]).mul<tf.Tensor4D>(0.2)),
    wd: tf.variable(tf.tensor2d(rand(8 * 4), [8, 4]).mul(0.5)),
    bd: tf.variable(tf.zeros([4])),
  }));
  const vars = Object.values(params);
  const losses: number[] = [];
  try {
    for (let s = 0; s < STEPS; s++) {
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const c1 = tf.conv2d(x, params.w1, 1, "same");
          const { mean, variance } = tf.moments(c1, [0, 1, 2]);
          const bn = tf.batchNorm(c1, mean, variance, params.beta, params.gamma, 1e-5);
          const p1 = tf.maxPool(tf.relu(bn) as tf.Tensor4D, 2, 2, "valid");
          const c2 = tf.relu(tf.conv2d(p1, params.w2, 1, "same"));
          const logits = tf.matMul(tf.mean(c2, [1, 2]), params.wd).add(params.bd);
          return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
        }, vars);
        losses.push(value.dataSync()[0] as number);
        for (const v of vars) v.assign(v.sub((grads[v.name] as tf.Tensor).mul(0.1)));
      });
    }
    return { losses, weights: vars.map((v) => Array.from(v.dataSync())) };
  } finally {
    tf.dispose([x, y, ...vars]);
    expect(tf.memory().numTensors, `tensors leaked on ${backend}`).toBe(before);
  }
}

describe("training parity with cpu", () => {
  let subject: Exclude<BackendName, "cpu">;
  beforeAll(async () => {
    subject = await paritySubject();
  });

  it(`${STEPS} SGD steps of a small CNN give the same losses and weights (atol ${TOL.atol}, rtol ${TOL.rtol})`, async () => {
    const fast = await train(subject);
    const reference = await train("cpu");
    // The model really trains: otherwise agreeing would prove little.
    expect(reference.losses.at(-1)).toBeLessThan((reference.losses[0] as number) * 0.9);
    expectClose(fast.losses, reference.losses, TOL, `${subject} vs cpu losses`);
    fast.weights.forEach((w, i) => {
      expectClose(w, reference.weights[i] as number[], TOL, `${subject} vs cpu weights of parameter ${i}`);
    });
  });
});
