/** Test helpers of the LR-finder tests: by-value captures of weights and optimizer state, odd models. */

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Learner, Module } from "@sched/learner";
import * as tf from "@tensorflow/tfjs";

/** A fresh empty folder under the system temp dir. */
export function tempDir(prefix = "lrfind-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Every model variable and buffer, copied by value (not by reference). */
export function weightsOf(learn: Learner): number[][] {
  const m = learn.module;
  return [...m.variables, ...(m.buffers ?? [])].map((v) => Array.from(v.dataSync()));
}

/** The optimizer's state (tensor entries as value arrays) and hypers, copied by value. */
export function optimizerOf(learn: Learner): {
  state: Record<string, number | number[]>[];
  hypers: Record<string, number>[];
} {
  const opt = learn.opt;
  if (!opt) throw new Error("optimizerOf: the learner has no optimizer");
  const sd = opt.stateDict();
  try {
    return {
      state: sd.state.map((s) =>
        Object.fromEntries(
          Object.entries(s).map(([k, v]) => [k, typeof v === "number" ? v : Array.from(v.dataSync())]),
        ),
      ),
      hypers: sd.hypers.map((h) => ({ ...h })),
    };
  } finally {
    for (const s of sd.state) for (const v of Object.values(s)) if (typeof v !== "number") v.dispose();
  }
}

/**
 * Wraps a module: its training call number `throwAt` (counted from 1) throws `Error("model boom")`,
 * after the inner call (so the failure happens mid-batch, with tensors alive).
 */
export function throwingModule(inner: Module, throwAt: number): Module & { calls: number } {
  const m = {
    calls: 0,
    get variables() {
      return inner.variables;
    },
    call(x: tf.Tensor, opts: { training: boolean }): tf.Tensor {
      const out = inner.call(x, opts);
      if (opts.training && ++m.calls === throwAt) throw new Error("model boom");
      return out;
    },
  };
  return m;
}

let nanModels = 0;

/**
 * `x·a + b`, except that the prediction is NaN once `|a| > limit`: a model that becomes NaN when a
 * too-high LR throws its weight out of range (its gradient is that of `x·a + b` until then).
 */
export class NaNBeyond implements Module {
  readonly a: tf.Variable;
  readonly b: tf.Variable;
  constructor(readonly limit: number) {
    const id = nanModels++;
    // tidy frees the initial values (the variables keep their own handles).
    [this.a, this.b] = tf.tidy(() => [
      tf.variable(tf.tensor1d([0.5]), true, `NaNBeyond${id}/a`),
      tf.variable(tf.tensor1d([0.1]), true, `NaNBeyond${id}/b`),
    ]);
  }
  get variables(): tf.Variable[] {
    return [this.a, this.b];
  }
  call(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const guard = tf.mul(0, tf.log(tf.sub(this.limit, tf.abs(this.a))));
      return tf.add(tf.add(tf.mul(x, this.a), this.b), guard);
    });
  }
}
