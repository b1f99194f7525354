/**
 * Hyper-parameters scheduled through model.fit change the updates exactly as hand-computed
 * (float64 reference, float32 training: tolerance 2e-5 on weights of order 1). Each test also shows
 * that its check can fail: the value tfjs alone would give is far outside the tolerance.
 */
import { SchedLin } from "@sched/core";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { scheduleCallback } from "./schedule-callback.js";
import { expectClose, fitSteps, kernel, linearModel, mseGrad, useBackend } from "./test-helpers.js";

useBackend();

const W0 = [0.5, -0.25];
const sub = (a: number[], b: number[]) => a.map((v, i) => v - (b[i] as number));
const scale = (a: number[], k: number) => a.map((v) => v * k);
const add = (a: number[], b: number[]) => a.map((v, i) => v + (b[i] as number));
const far = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - (b[i] as number))));

/** A schedule taking `values[k]` at step k of `values.length` steps (and the last one at pos 1). */
const steps = (values: number[]) => (pos: number) =>
  values[Math.min(Math.round(pos * values.length), values.length - 1)] as number;

describe("SGD lr", () => {
  it("w2 = w1 − lr(step 2)·g(w1), with lr changing between the steps", async () => {
    const model = linearModel(W0, tf.train.sgd(0.3));
    const lrs = [0.1, 0.05];
    await fitSteps(model, 2, [scheduleCallback({ lr: steps(lrs) })]);
    const w1 = sub(W0, scale(mseGrad(W0), 0.1));
    const w2 = sub(w1, scale(mseGrad(w1), 0.05));
    expectClose(kernel(model), w2);
    // With the constructor's lr the weights would be elsewhere.
    const w1c = sub(W0, scale(mseGrad(W0), 0.3));
    expect(far(w2, sub(w1c, scale(mseGrad(w1c), 0.3)))).toBeGreaterThan(1e-2);
    model.dispose();
  });
});

describe("Momentum: lr and momentum", () => {
  it("acc2 = m(step 2)·acc1 + g2 with the scheduled momentum, not the constructor's", async () => {
    const opt = tf.train.momentum(0.1, 0.9);
    const model = linearModel(W0, opt);
    // SchedLin(0.9, 0.1) over 2 steps: 0.9 at step 1, 0.5 at step 2.
    const cb = scheduleCallback({ lr: steps([0.1, 0.2]), mom: SchedLin(0.9, 0.1) });
    await fitSteps(model, 2, [cb]);
    expect(cb.hps).toEqual({ lr: [0.1, 0.2], mom: [0.9, 0.5] });
    const g1 = mseGrad(W0);
    const acc1 = g1;
    const w1 = sub(W0, scale(acc1, 0.1));
    const acc2 = add(scale(acc1, 0.5), mseGrad(w1));
    const w2 = sub(w1, scale(acc2, 0.2));
    expectClose(kernel(model), w2);
    const stale = sub(w1, scale(add(scale(acc1, 0.9), mseGrad(w1)), 0.2));
    expect(far(w2, stale)).toBeGreaterThan(1e-2);
    model.dispose();
  });

  it("tfjs's own setMomentum changes nothing (why the kept scalar is rebuilt)", async () => {
    const opt = tf.train.momentum(0.1, 0.9);
    const model = linearModel(W0, opt);
    const setOnSecond = new tf.CustomCallback({
      onBatchBegin: async () => {
        if (opt.iterations === 1) opt.setMomentum(0.5);
      },
    });
    await fitSteps(model, 2, [setOnSecond]);
    const w1 = sub(W0, scale(mseGrad(W0), 0.1));
    const stale = sub(w1, scale(add(scale(mseGrad(W0), 0.9), mseGrad(w1)), 0.1));
    expectClose(kernel(model), stale);
    model.dispose();
  });
});

interface AdamStep {
  lr: number;
  b1: number;
  b2: number;
}

/** Adam as tfjs writes it, with the bias corrections from the products of the betas applied. */
function adamByHand(w0: number[], plan: AdamStep[], eps: number, stale = false): number[] {
  let w = w0;
  let m = w0.map(() => 0);
  let v = w0.map(() => 0);
  let p1 = 1;
  let p2 = 1;
  plan.forEach(({ lr, b1, b2 }, t) => {
    const g = mseGrad(w);
    m = m.map((mi, i) => b1 * mi + (1 - b1) * (g[i] as number));
    v = v.map((vi, i) => b2 * vi + (1 - b2) * (g[i] as number) ** 2);
    // tfjs alone: acc starts at the constructor's beta and is multiplied by the current one.
    const first = plan[0] as AdamStep;
    p1 = stale ? (t === 0 ? first.b1 : p1 * (plan[t - 1] as AdamStep).b1) : p1 * b1;
    p2 = stale ? (t === 0 ? first.b2 : p2 * (plan[t - 1] as AdamStep).b2) : p2 * b2;
    w = w.map(
      (wi, i) => wi - (lr * ((m[i] as number) / (1 - p1))) / (Math.sqrt((v[i] as number) / (1 - p2)) + eps),
    );
  });
  return w;
}

describe("Adam: lr, beta1, beta2", () => {
  const plan: AdamStep[] = [
    { lr: 0.1, b1: 0.9, b2: 0.99 },
    { lr: 0.05, b1: 0.5, b2: 0.9 },
    { lr: 0.02, b1: 0.8, b2: 0.95 },
  ];
  const eps = 1e-8;

  it("3 steps with every hyper changing: the bias correction uses the product of the betas applied", async () => {
    const model = linearModel(W0, tf.train.adam(0.1, 0.9, 0.99, eps));
    const cb = scheduleCallback({
      lr: steps(plan.map((p) => p.lr)),
      beta1: steps(plan.map((p) => p.b1)),
      beta2: steps(plan.map((p) => p.b2)),
    });
    await fitSteps(model, 3, [cb]);
    const expected = adamByHand(W0, plan, eps);
    expectClose(kernel(model), expected);
    expect(far(expected, adamByHand(W0, plan, eps, true))).toBeGreaterThan(1e-2);
    model.dispose();
  });

  it("lr alone on Adam: w moves by the scheduled lr at each step", async () => {
    const model = linearModel(W0, tf.train.adam(0.3, 0.9, 0.99, eps));
    const lrOnly = plan.map((p) => ({ ...p, b1: 0.9, b2: 0.99 }));
    await fitSteps(model, 3, [scheduleCallback({ lr: steps(lrOnly.map((p) => p.lr)) })]);
    expectClose(kernel(model), adamByHand(W0, lrOnly, eps));
    model.dispose();
  });

  it("a second fit continues the product from where the first left it", async () => {
    const model = linearModel(W0, tf.train.adam(0.1, 0.9, 0.99, eps));
    const first = plan.slice(0, 2);
    await fitSteps(model, 2, [scheduleCallback({ beta1: steps(first.map((p) => p.b1)), lr: 0.1 })]);
    // The second fit keeps beta1 = 0.5 (left by the first), then a new callback sets 0.8.
    await fitSteps(model, 1, [scheduleCallback({ beta1: 0.8, lr: 0.1 })]);
    const all = [
      { lr: 0.1, b1: 0.9, b2: 0.99 },
      { lr: 0.1, b1: 0.5, b2: 0.99 },
      { lr: 0.1, b1: 0.8, b2: 0.99 },
    ];
    expectClose(kernel(model), adamByHand(W0, all, eps));
    model.dispose();
  });
});

describe("Adamax: beta1 bias correction", () => {
  it("follows the product of the betas applied", async () => {
    const eps = 1e-8;
    const model = linearModel(W0, tf.train.adamax(0.1, 0.9, 0.99, eps));
    const b1s = [0.9, 0.4, 0.7];
    await fitSteps(model, 3, [scheduleCallback({ beta1: steps(b1s) })]);
    let w = W0;
    let m = W0.map(() => 0);
    let u = W0.map(() => 0);
    let p = 1;
    for (const b1 of b1s) {
      const g = mseGrad(w);
      m = m.map((mi, i) => b1 * mi + (1 - b1) * (g[i] as number));
      u = u.map((ui, i) => Math.max(0.99 * ui, Math.abs(g[i] as number)));
      p *= b1;
      w = w.map((wi, i) => wi - (0.1 / (1 - p)) * ((m[i] as number) / ((u[i] as number) + eps)));
    }
    expectClose(kernel(model), w);
    model.dispose();
  });
});

describe("every other hyper takes effect", () => {
  // One step with the hyper scheduled to v equals one step of an optimizer built with v.
  const cases: Array<[string, () => tf.Optimizer, () => tf.Optimizer, Record<string, number>]> = [
    [
      "RMSProp rho",
      () => tf.train.rmsprop(0.05, 0.9, 0.5, 1e-6),
      () => tf.train.rmsprop(0.05, 0.5, 0.5, 1e-6),
      { rho: 0.5 },
    ],
    [
      "RMSProp momentum (2 steps)",
      () => tf.train.rmsprop(0.05, 0.9, 0, 1e-6),
      () => tf.train.rmsprop(0.05, 0.9, 0.8, 1e-6),
      { momentum: 0.8 },
    ],
    [
      "RMSProp eps",
      () => tf.train.rmsprop(0.05, 0.9, 0, 1e-6),
      () => tf.train.rmsprop(0.05, 0.9, 0, 0.5),
      { eps: 0.5 },
    ],
    ["Adagrad lr", () => tf.train.adagrad(0.5), () => tf.train.adagrad(0.05), { lr: 0.05 }],
    [
      "Adadelta lr",
      () => tf.train.adadelta(1, 0.95, 1e-6),
      () => tf.train.adadelta(3, 0.95, 1e-6),
      { lr: 3 },
    ],
    [
      "Adam eps",
      () => tf.train.adam(0.1, 0.9, 0.99, 1e-8),
      () => tf.train.adam(0.1, 0.9, 0.99, 0.5),
      { eps: 0.5 },
    ],
    ["Adamax lr", () => tf.train.adamax(0.5), () => tf.train.adamax(0.05), { lr: 0.05 }],
    [
      "Adamax decay",
      () => tf.train.adamax(0.1, 0.9, 0.99, 1e-8, 0),
      () => tf.train.adamax(0.1, 0.9, 0.99, 1e-8, 2),
      { decay: 2 },
    ],
  ];
  it.each(cases)("%s", async (_name, scheduled, reference, hypers) => {
    const a = linearModel(W0, scheduled());
    const b = linearModel(W0, reference());
    const c = linearModel(W0, scheduled());
    await fitSteps(a, 2, [scheduleCallback(hypers)]);
    await fitSteps(b, 2, []);
    await fitSteps(c, 2, []);
    expectClose(kernel(a), kernel(b), 1e-6);
    expect(far(kernel(a), kernel(c))).toBeGreaterThan(1e-4);
    for (const m of [a, b, c]) m.dispose();
  });
});

describe("Adadelta rho and epsilon", () => {
  it("are written, but tfjs 4.22's Adadelta steps exactly like SGD whatever their values", async () => {
    // tfjs divides by the squared-gradient accumulator *before* updating it; the two accumulators
    // then stay equal and cancel, so every update is lr·g. Scheduling rho/eps is accepted and inert.
    const opt = tf.train.adadelta(0.1, 0.95, 1e-6);
    const a = linearModel(W0, opt);
    const b = linearModel(W0, tf.train.sgd(0.1));
    await fitSteps(a, 3, [scheduleCallback({ rho: 0.5, eps: 1e-2 })]);
    await fitSteps(b, 3, []);
    const fields = opt as unknown as { rho: number; epsilon: number };
    expect([fields.rho, fields.epsilon]).toEqual([0.5, 1e-2]);
    expectClose(kernel(a), kernel(b), 1e-6);
    a.dispose();
    b.dispose();
  });
});
