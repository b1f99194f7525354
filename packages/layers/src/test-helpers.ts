/** Shared by the tests: small models with known weights, hand-computed gradients, leak checks. */
import { initBackend } from "@sched/learner";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, expect } from "vitest";

/** Selects the backend as the rest of the repo does (native when present, SCHED_TF_BACKEND honoured). */
export function useBackend(): void {
  beforeAll(async () => {
    tf.enableProdMode();
    await initBackend();
  });
}

/** y = x·w (no bias), MSE loss, with the given kernel. */
export function linearModel(w: readonly number[], optimizer: tf.Optimizer): tf.LayersModel {
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 1, useBias: false, inputShape: [w.length] })],
  });
  tf.tidy(() => model.setWeights([tf.tensor2d([...w], [w.length, 1])]));
  model.compile({ optimizer, loss: "meanSquaredError" });
  return model;
}

/** A fixed batch: 4 rows of 2 features and targets. */
export const X = [
  [1, 2],
  [0.5, -1],
  [-1.5, 0.5],
  [2, 1],
];
export const Y = [1, -0.5, 0.25, 2];

/** ∂/∂w of mean((x·w − y)²) over the rows, in float64. */
export function mseGrad(w: readonly number[], xs: number[][] = X, ys: number[] = Y): number[] {
  const n = xs.length;
  const g = w.map(() => 0);
  xs.forEach((row, i) => {
    const err = row.reduce((s, xj, j) => s + xj * (w[j] as number), 0) - (ys[i] as number);
    row.forEach((xj, j) => {
      g[j] = (g[j] as number) + (2 / n) * err * xj;
    });
  });
  return g;
}

/** The model's kernel as numbers. */
export function kernel(model: tf.LayersModel): number[] {
  return Array.from((model.getWeights()[0] as tf.Tensor).dataSync());
}

/** Trains `steps` full-batch steps on (X, Y) with `callbacks`. */
export async function fitSteps(
  model: tf.LayersModel,
  steps: number,
  callbacks: tf.CustomCallback[],
): Promise<void> {
  const x = tf.tensor2d(X);
  const y = tf.tensor2d(Y, [Y.length, 1]);
  try {
    await model.fit(x, y, { batchSize: X.length, epochs: steps, shuffle: false, verbose: 0, callbacks });
  } finally {
    tf.dispose([x, y]);
  }
}

/** Asserts two number arrays agree within `tol` (absolute), length included. */
export function expectClose(actual: readonly number[], expected: readonly number[], tol = 2e-5): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i] as number;
    if (!(Math.abs(a - e) <= tol)) {
      throw new Error(
        `index ${i}: got ${a}, expected ${e} (tolerance ${tol}); all: [${actual}] vs [${expected}]`,
      );
    }
  });
}

/** Runs `fn` and asserts tf.memory().numTensors is the same after as before (also when it throws). */
export async function expectNoLeak<T>(fn: () => Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  try {
    return await fn();
  } finally {
    expect(tf.memory().numTensors).toBe(before);
  }
}

/** A small regression MLP with seeded initial weights. */
export function mlp(inputs: number, seed = 1, hidden = 16): tf.Sequential {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
  return tf.sequential({
    layers: [
      tf.layers.dense({
        units: hidden,
        activation: "relu",
        inputShape: [inputs],
        kernelInitializer: init(seed),
      }),
      tf.layers.dense({ units: 1, kernelInitializer: init(seed + 1) }),
    ],
  });
}

/** Deterministic regression data: y = sum of sin(features) + 0.1·noise. */
export function regressionData(n: number, inputs: number, seed = 3): { x: tf.Tensor2D; y: tf.Tensor2D } {
  let s = seed >>> 0;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  const xs = Array.from({ length: n * inputs }, () => 4 * rand());
  const ys = Array.from({ length: n }, (_, i) => {
    let t = 0;
    for (let j = 0; j < inputs; j++) t += Math.sin(xs[i * inputs + j] as number);
    return t + 0.1 * rand();
  });
  return { x: tf.tensor2d(xs, [n, inputs]), y: tf.tensor2d(ys, [n, 1]) };
}

/** The bits of every weight and every optimizer weight (iterations included). */
export async function state(model: tf.LayersModel): Promise<number[][]> {
  const bits = (t: tf.Tensor) => Array.from(new Uint32Array(new Float32Array(t.dataSync()).buffer));
  const opt = await model.optimizer.getWeights();
  const out = [...model.getWeights().map(bits), ...opt.map((w) => bits(w.tensor))];
  tf.dispose(opt[0]?.tensor as tf.Tensor); // the iterations scalar is made by getWeights
  return out;
}
