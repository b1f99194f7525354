/**
 * `@sched/learner/testing`: the reference's test utilities. `synthLearner` is a tiny regression
 * learner (y = 2x + 3 + noise) that trains in milliseconds; the asserts fit any test runner.
 */

import { AssertionError } from "node:assert";
import { isDeepStrictEqual } from "node:util";
import * as tf from "@tensorflow/tfjs";
import { DataLoaders } from "./data/index.js";
import { Learner, type LearnerOptions } from "./learner.js";
import { mseLoss } from "./losses.js";
import type { Module } from "./module.js";
import { SGD } from "./optim/index.js";
import { Rng } from "./random.js";

let regModels = 0;

/** `forward(x) = x·a + b`, with the scalar parameters `a` and `b` (tf names `RegModel<k>/a`, `.../b`). */
export class RegModel implements Module {
  readonly a: tf.Variable;
  readonly b: tf.Variable;

  /** `a` and `b` start at `randn(1)` from `rng`. */
  constructor(rng: Rng = new Rng()) {
    const id = regModels++;
    // tidy frees the initial values; variables are not freed by tidy.
    [this.a, this.b] = tf.tidy(() => [
      tf.variable(tf.tensor1d(rng.normalArray(1)), true, `RegModel${id}/a`),
      tf.variable(tf.tensor1d(rng.normalArray(1)), true, `RegModel${id}/b`),
    ]);
  }

  get variables(): tf.Variable[] {
    return [this.a, this.b];
  }

  call(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(tf.mul(x, this.a), this.b));
  }
}

/** The reference tests' two-group splitter for RegModel: `[[a], [b]]` (discriminative lrs, per-group schedules). */
export const twoGroups = (m: RegModel): tf.Variable[][] => [[m.a], [m.b]];

/** Options of `synthLearner` (any Learner option may be added). */
export interface SynthLearnerOptions extends LearnerOptions<RegModel> {
  /** Training batches of 16 (default 10). */
  nTrn?: number;
  /** Validation batches of 16 (default 2). */
  nVal?: number;
  /** Seeds the data, the model's init and the shuffles (default 0). */
  seed?: number;
  /** Slope and intercept of the data (default 2 and 3). */
  a?: number;
  b?: number;
}

/**
 * The reference's `synth_learner`: `y = a·x + b + 0.1·noise` (bs 16, `nTrn` shuffled training batches,
 * `nVal` validation batches), a `RegModel`, MSE loss, SGD with momentum 0.9. Same seed, same run.
 * Call `learn.dispose()` and `learn.dls.dispose()` when done.
 */
export function synthLearner(opts: SynthLearnerOptions = {}): Learner<RegModel, DataLoaders> {
  const { nTrn = 10, nVal = 2, seed = 0, a = 2, b = 3, lr = 1e-3, ...learnerOpts } = opts;
  const rng = new Rng(seed);
  const bs = 16;
  const split = (n: number): [tf.Tensor, tf.Tensor] => {
    const x = rng.normalArray(bs * n);
    const noise = rng.normalArray(bs * n);
    const y = x.map((xi, i) => a * xi + b + 0.1 * (noise[i] as number));
    return [tf.tensor2d(x, [bs * n, 1]), tf.tensor2d(y, [bs * n, 1])];
  };
  const train = split(nTrn);
  const valid = split(nVal);
  const model = new RegModel(rng);
  let dls: DataLoaders;
  try {
    dls = DataLoaders.fromTensors(train, valid, { bs, seed, shuffle: true });
  } finally {
    tf.dispose([...train, ...valid]);
  }
  const learn = new Learner(dls, model, {
    lossFunc: mseLoss,
    optFunc: (groups, o) => SGD(groups, { mom: 0.9, ...o }),
    lr,
    ...learnerOpts,
  });
  return learn;
}

type Numeric = number | readonly Numeric[] | ArrayLike<number> | tf.Tensor;

function flatten(v: Numeric, what: string): number[] {
  if (v instanceof tf.Tensor) return Array.from(v.dataSync());
  if (typeof v === "number") return [v];
  if (v && typeof v === "object" && "length" in v) {
    return Array.from(v as ArrayLike<Numeric>).flatMap((x) => flatten(x, what));
  }
  throw new AssertionError({ message: `testClose: ${what} is not numeric: ${String(v)}` });
}

function shapeOf(v: Numeric): number[] {
  if (v instanceof tf.Tensor) return [...v.shape];
  if (typeof v === "number") return [];
  const arr = Array.from(v as ArrayLike<Numeric>);
  return [arr.length, ...(arr.length ? shapeOf(arr[0] as Numeric) : [])];
}

/**
 * Asserts `|a - b| <= eps` elementwise for numbers, (nested) arrays, typed arrays or tensors. Unlike
 * the reference, different lengths or shapes fail instead of being truncated.
 */
export function testClose(a: Numeric, b: Numeric, eps = 1e-5): void {
  const [sa, sb] = [shapeOf(a), shapeOf(b)];
  const [fa, fb] = [flatten(a, "a"), flatten(b, "b")];
  if (fa.length !== fb.length || (sa.length > 1 && sb.length > 1 && !isDeepStrictEqual(sa, sb))) {
    throw new AssertionError({
      message: `testClose: shapes differ: [${sa}] vs [${sb}]`,
      actual: a,
      expected: b,
    });
  }
  fa.forEach((x, i) => {
    const y = fb[i] as number;
    const close = Math.abs(x - y) <= eps || (Number.isNaN(x) && Number.isNaN(y)) || x === y;
    if (!close) {
      throw new AssertionError({
        message: `testClose: element ${i}: ${x} vs ${y} differ by ${Math.abs(x - y)} > eps ${eps}`,
        actual: a,
        expected: b,
      });
    }
  });
}

/**
 * Asserts `|a - b| <= rel·|b|` elementwise: for values that span decades (learning rates), where an
 * absolute `eps` is either too loose at the small end or too tight at the large one.
 */
export function testRelClose(a: readonly number[], b: readonly number[], rel: number): void {
  if (a.length !== b.length) {
    throw new AssertionError({
      message: `testRelClose: ${a.length} values vs ${b.length}`,
      actual: a,
      expected: b,
    });
  }
  b.forEach((y, i) => {
    const x = a[i] as number;
    if (!(Math.abs(x - y) <= rel * Math.abs(y))) {
      throw new AssertionError({
        message: `testRelClose: element ${i}: ${x} vs ${y} (relative tolerance ${rel})`,
        actual: a,
        expected: b,
      });
    }
  });
}

/** Asserts exact deep equality (tensors compared by dtype, shape and values). */
export function testEq(a: unknown, b: unknown): void {
  const plain = (v: unknown): unknown =>
    v instanceof tf.Tensor ? { dtype: v.dtype, shape: v.shape, values: Array.from(v.dataSync()) } : v;
  if (!isDeepStrictEqual(plain(a), plain(b))) {
    throw new AssertionError({
      message: "testEq: values differ",
      actual: a,
      expected: b,
      operator: "testEq",
    });
  }
}

/**
 * Runs `fn` and asserts that the number of live tensors is the same after as before; returns `fn`'s
 * result (which must not hold new tensors). The check also runs, and wins, when `fn` throws.
 */
export async function expectNoLeaks<T>(fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  let result: T;
  try {
    result = await fn();
  } finally {
    const after = tf.memory().numTensors;
    if (after !== before) {
      // biome-ignore lint/correctness/noUnsafeFinally: a leak is the failure this helper reports
      throw new AssertionError({
        message: `expectNoLeaks: ${after - before} tensor(s) leaked (${before} before, ${after} after)`,
        actual: after,
        expected: before,
      });
    }
  }
  return result;
}
