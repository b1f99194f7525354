import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";
import type { Optimizer } from "./types.js";

/** A tensor's values as plain numbers. */
export const values = (t: tf.Tensor): number[] => Array.from(t.dataSync());

/**
 * float32 comparison against float64 hand arithmetic: |a - e| <= rel·|e| + abs. The default `rel` of 1e-6
 * is a few float32 ulps (2^-24 ≈ 6e-8) accumulated over a handful of operations and steps; `abs` of 1e-8
 * covers results that cancel terms of order 0.1-1 (a float32 ulp at 0.1 is 7e-9).
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: readonly number[],
  rel = 1e-6,
  abs = 1e-8,
): void {
  expect(actual.length, "length").toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i] as number, expected[i] as number];
    if (!(Math.abs(a - e) <= rel * Math.abs(e) + abs)) {
      throw new Error(`element ${i}: got ${a}, expected ${e} (rel ${rel}, abs ${abs})`);
    }
  }
}

/** One float32 variable per array of values. */
export const variables = (...vals: number[][]): tf.Variable[] =>
  vals.map((v) => {
    const init = tf.tensor1d(v);
    const variable = tf.variable(init);
    init.dispose();
    return variable;
  });

/** Hands gradients to `opt` (one array of values per variable, in order) and takes one step. */
export function stepWith(opt: Optimizer, vars: readonly tf.Variable[], grads: readonly number[][]): void {
  opt.setGrads(new Map(vars.map((v, i) => [v, tf.tensor(grads[i] as number[], v.shape)])));
  opt.step();
  opt.zeroGrad();
}

/** Disposes variables created by a test. */
export const disposeAll = (vars: readonly tf.Variable[]): void => {
  for (const v of vars) v.dispose();
};
