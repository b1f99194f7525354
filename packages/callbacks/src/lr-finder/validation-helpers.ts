/** Helpers of the LR finder's validation tests: a regression learner with known data, host references, probes. */

import { type Callback, DataLoaders, Learner, type LossFunc, mseLoss, Rng, SGD } from "@sched/learner";
import { RegModel, testRelClose } from "@sched/learner/testing";
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";
import type { LRFinder } from "./lr-finder.js";
import { weightsOf } from "./test-helpers.js";

/** What the tests built; `disposeAll()` (in afterEach) frees it. */
const cleanups: (() => void)[] = [];

/** Registers `free` to run at the next `disposeAll()`. */
export function onDispose(free: () => void): void {
  cleanups.push(free);
}

/** Frees every learner and loader built by `regLearner` (and whatever `onDispose` was given). */
export function disposeAll(): void {
  for (const f of cleanups.splice(0)) f();
}

export const BS = 16;
/** 40 validation items in batches of 16: 16, 16 and 8, so the size weighting matters. */
export const N_VALID = 40;

export interface RegData {
  learn: Learner<RegModel, DataLoaders>;
  /** The validation items as float32 values, in loader order (the valid loader does not shuffle). */
  xValid: Float32Array;
  yValid: Float32Array;
}

/**
 * `y = 2x + 3 + 0.1·noise` on 160 training items (shuffled batches of 16), a RegModel, MSE, SGD with
 * momentum; the validation targets come from `validTarget` (default the training rule).
 */
export function regLearner(
  opts: { seed?: number; validTarget?: (x: number) => number; lossFunc?: LossFunc } = {},
): RegData {
  const { seed = 5, validTarget = (x: number) => 2 * x + 3 } = opts;
  const rng = new Rng(seed);
  const xTrain = rng.normalArray(160);
  const noise = rng.normalArray(160);
  const yTrain = xTrain.map((x, i) => 2 * x + 3 + 0.1 * (noise[i] as number));
  const xValid = rng.normalArray(N_VALID);
  const yValid = Float32Array.from(xValid, validTarget);
  const data = [
    tf.tensor2d(xTrain, [160, 1]),
    tf.tensor2d(yTrain, [160, 1]),
    tf.tensor2d(xValid, [N_VALID, 1]),
    tf.tensor2d(yValid, [N_VALID, 1]),
  ] as const;
  // The loaders keep their own handles: the tensors given are ours to free.
  const dls = DataLoaders.fromTensors([data[0], data[1]], [data[2], data[3]], { bs: BS, seed });
  tf.dispose([...data]);
  const learn = new Learner(dls, new RegModel(rng), {
    lossFunc: opts.lossFunc ?? mseLoss,
    optFunc: (groups, o) => SGD(groups, { mom: 0.9, ...o }),
  });
  cleanups.push(() => {
    learn.dispose();
    dls.dispose();
  });
  return { learn, xValid, yValid };
}

/**
 * The validation MSE of `x·a + b` on each batch of 16 (the last one has 8 items), computed on the
 * host in float64 from the float32 weights and data: independent of tfjs. `[mean, size]` per batch.
 */
export function hostBatchLosses(d: RegData, [a, b]: number[][]): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < N_VALID; start += BS) {
    const end = Math.min(start + BS, N_VALID);
    let sq = 0;
    for (let i = start; i < end; i++) {
      const err = (a?.[0] as number) * (d.xValid[i] as number) + (b?.[0] as number) - (d.yValid[i] as number);
      sq += err * err;
    }
    out.push([sq / (end - start), end - start]);
  }
  return out;
}

/** The mean of the first `batches` batch losses, weighted by batch size. */
export function hostValidLoss(d: RegData, weights: number[][], batches: number): number {
  const used = hostBatchLosses(d, weights).slice(0, batches);
  return used.reduce((s, [m, n]) => s + m * n, 0) / used.reduce((s, [, n]) => s + n, 0);
}

/** Records, by value, the weights after each training step (order 55: after the step and the Recorder, before the finder). */
export function weightsAfterStep(): Callback & { weights: number[][][] } {
  const cb = {
    name: "WeightsAfterStep",
    order: 55,
    weights: [] as number[][][],
    after_batch: (l: Learner) => {
      if (l.training && l.loss) cb.weights.push(weightsOf(l));
    },
  };
  return cb;
}

/** Records, by value, each training batch's inputs and the weights it starts from. */
export function batchStarts(): Callback & { xs: number[][]; weights: number[][][] } {
  const cb = {
    name: "BatchStarts",
    order: 70,
    xs: [] as number[][],
    weights: [] as number[][][],
    before_batch: (l: Learner) => {
      if (!l.training) return;
      cb.xs.push(Array.from((l.xb as tf.Tensor).dataSync()));
      cb.weights.push(weightsOf(l));
    },
  };
  return cb;
}

/** The Recorder's smoothing, written out: val = β·val + (1−β)·x, debiased by 1 − β^n. */
export function ema(xs: readonly number[], beta = 0.98): number[] {
  let val = 0;
  return xs.map((x, i) => {
    val = beta * val + (1 - beta) * x;
    return val / (1 - beta ** (i + 1));
  });
}

/** NaN-aware relative closeness, for curves whose end may be NaN after a divergence. */
export function expectRelClose(a: readonly number[], b: readonly number[], rel: number): void {
  expect(a.length).toBe(b.length);
  const finite = b.map((y, i) => Number.isFinite(y) && Number.isFinite(a[i] as number));
  a.forEach((x, i) => {
    if (!finite[i]) expect(Number.isNaN(x) ? "NaN" : x).toEqual(Number.isNaN(b[i]) ? "NaN" : b[i]);
  });
  testRelClose(
    a.filter((_, i) => finite[i]),
    b.filter((_, i) => finite[i]),
    rel,
  );
}

export async function runFinder(learn: Learner, finder: LRFinder, ...cbs: Callback[]): Promise<void> {
  await finder.loadValidBatches(learn);
  await learn.noLogging(() => learn.fit(5, { cbs: [finder, ...cbs] }));
}
