/** The optimizer's mechanics: hypers, gradients, freezing, memory. Values are checked against SGD's rule. */
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { initBackend } from "../backend.js";
import {
  Adam,
  averageGrad,
  Lamb,
  lrSlice,
  type OptFunc,
  type Optimizer,
  OptimizerError,
  RAdam,
  RMSProp,
  SGD,
  type Stage,
  StagedOptimizer,
  sgdStep,
} from "./index.js";
import { disposeAll, expectClose, stepWith, values, variables } from "./test-helpers.js";

let vars: tf.Variable[] = [];
let opts: Optimizer[] = [];
let before = 0;
beforeAll(async () => {
  await initBackend();
});
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  for (const o of opts) o.dispose();
  disposeAll(vars);
  opts = [];
  vars = [];
  expect(tf.memory().numTensors, "tensors leaked by the test").toBe(before);
});

/** Three groups of one variable each: [1, 2], [3], [4, 5, 6]. */
function threeGroups(make: OptFunc = SGD, o: Parameters<OptFunc>[1] = { lr: 0.1 }) {
  vars = variables([1, 2], [3], [4, 5, 6]);
  const opt = make(
    vars.map((v) => [v]),
    o,
  );
  opts.push(opt);
  return opt;
}
const ones = (v: tf.Variable) => Array<number>(v.size).fill(1);

describe("factories", () => {
  it("are OptFuncs, and partials are closures", () => {
    const all: OptFunc[] = [SGD, Adam, RMSProp, RAdam, Lamb, (groups, o) => SGD(groups, { ...o, mom: 0.9 })];
    vars = variables([1]);
    for (const f of all) opts.push(f([vars], { lr: 0.5 }));
    expect(opts.map((o) => o.hypers[0]?.lr)).toEqual([0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    expect(opts[5]?.hypers[0]?.mom).toBe(0.9);
  });

  it("use lr 1e-3 when none is given, and undefined means the default", () => {
    vars = variables([1]);
    opts.push(SGD([vars], { lr: undefined, wd: undefined }));
    expect(opts[0]?.hypers).toEqual([{ lr: 1e-3, mom: 0, wd: 0 }]);
  });

  it("reject a hyper the optimizer does not have, a non-finite one, bad groups and duplicates", () => {
    vars = variables([1], [2]);
    const [a, b] = vars as [tf.Variable, tf.Variable];
    expect(() => SGD([[a]], { sqrMom: 0.9 })).toThrow(
      new OptimizerError('SGD: "sqrMom" is not a hyper-parameter of SGD (got 0.9)'),
    );
    expect(() => Adam([[a]], { lr: Number.NaN })).toThrow(/Adam: lr must be a finite number, got NaN/);
    expect(() => SGD([])).toThrow(/paramGroups must be a non-empty array of groups/);
    expect(() => SGD([[a], [b, a]])).toThrow(/variable ".*" appears twice in paramGroups \(group 1\)/);
    const notAVariable = tf.scalar(1);
    expect(() => SGD([[a, notAVariable as unknown as tf.Variable]])).toThrow(/is not a tf.Variable/);
    notAVariable.dispose();
  });

  it("start with every group at the same hypers and the flat parameter order", () => {
    const opt = threeGroups(Adam, { lr: 0.01 });
    expect(opt.hypers).toHaveLength(3);
    expect(opt.hypers[2]).toEqual({ lr: 0.01, mom: 0.9, sqrMom: 0.99, eps: 1e-5, wd: 0.01 });
    expect(opt.params()).toEqual(vars);
    expect(opt.paramGroups.map((g) => g.length)).toEqual([1, 1, 1]);
  });
});

describe("setHyper", () => {
  it("spreads lrSlice like the reference's slice over 3 groups", () => {
    const opt = threeGroups();
    opt.setHyper("lr", lrSlice(2e-3));
    expect(opt.hypers.map((h) => h.lr)).toEqual([2e-4, 2e-4, 2e-3]);
    opt.setHyper("lr", lrSlice(1e-5, 1e-3));
    expectClose(
      opt.hypers.map((h) => h.lr as number),
      [1e-5, 1e-4, 1e-3],
      1e-12,
      0,
    );
  });

  it("takes a number for all groups or one value per group", () => {
    const opt = threeGroups();
    opt.setHyper("wd", 0.1);
    expect(opt.hypers.map((h) => h.wd)).toEqual([0.1, 0.1, 0.1]);
    opt.setHyper("mom", [0.9, 0.8, 0.7]);
    expect(opt.hypers.map((h) => h.mom)).toEqual([0.9, 0.8, 0.7]);
  });

  it("errors name the hyper, the length and the groups, and change nothing", () => {
    const opt = threeGroups();
    const snapshot = structuredClone(opt.hypers);
    expect(() => opt.setHyper("mom", [0.9, 0.8])).toThrow(
      new OptimizerError('setHyper("mom"): 2 values [0.9, 0.8] for 3 parameter groups'),
    );
    expect(() => opt.setHyper("lr", [0.1, Number.NaN, 0.1])).toThrow(
      /setHyper\("lr"\): value must be a finite number, got \[0.1, NaN, 0.1\]/,
    );
    expect(() => opt.setHyper("sqrMom", 0.9)).toThrow(
      new OptimizerError(
        'setHyper("sqrMom"): unknown hyper-parameter; this optimizer has ["lr", "mom", "wd"]',
      ),
    );
    expect(opt.hypers).toEqual(snapshot);
  });

  it("hasHyper tells which names setHyper accepts", () => {
    vars = variables([1]);
    const sgd = SGD([vars]);
    const radam = RAdam([vars]);
    opts.push(sgd, radam);
    expect(["lr", "mom", "wd", "sqrMom", "eps", "beta", "foo"].map((n) => sgd.hasHyper(n))).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
    expect(["sqrMom", "eps", "beta", "toString"].map((n) => radam.hasHyper(n))).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it("per-group values are used by the next step of each group", () => {
    const opt = threeGroups();
    opt.setHyper("lr", [0.1, 0.2, 0.3]);
    stepWith(
      opt,
      vars,
      vars.map((v) => ones(v)),
    );
    expectClose(values(vars[0] as tf.Variable), [0.9, 1.9]);
    expectClose(values(vars[1] as tf.Variable), [2.8]);
    expectClose(values(vars[2] as tf.Variable), [3.7, 4.7, 5.7]);
    opt.setHyper("lr", lrSlice(1));
    stepWith(
      opt,
      vars,
      vars.map((v) => ones(v)),
    );
    expectClose(values(vars[0] as tf.Variable), [0.8, 1.8]);
    expectClose(values(vars[2] as tf.Variable), [2.7, 3.7, 4.7]);
  });
});

describe("gradients", () => {
  it("step updates only parameters that have a gradient; zeroGrad frees them", () => {
    vars = variables([1], [2]);
    const [a, b] = vars as [tf.Variable, tf.Variable];
    const opt = SGD([vars], { lr: 0.5 });
    opts.push(opt);
    const grad = tf.tensor1d([2]);
    opt.setGrads(new Map([[a, grad]]));
    expect(opt.grads.size).toBe(1);
    opt.step();
    expectClose(values(a), [0]);
    expectClose(values(b), [2]);
    opt.zeroGrad();
    expect(opt.grads.size).toBe(0);
    expect(grad.isDisposed).toBe(true);
  });

  it("setGrads frees the previous gradients it replaces", () => {
    vars = variables([1]);
    const a = vars[0] as tf.Variable;
    const opt = SGD([vars]);
    opts.push(opt);
    const first = tf.tensor1d([1]);
    opt.setGrads(new Map([[a, first]]));
    opt.setGrads(new Map([[a, tf.tensor1d([2])]]));
    expect(first.isDisposed).toBe(true);
    expect(values(opt.grads.get(a) as tf.Tensor)).toEqual([2]);
  });

  it("a gradient of the wrong shape or for a foreign variable is an error; the rejected map is freed", () => {
    vars = variables([1, 2], [3]);
    const [a, b] = vars as [tf.Variable, tf.Variable];
    const opt = SGD([[a]]);
    opts.push(opt);
    const kept = tf.tensor1d([1, 1]);
    opt.setGrads(new Map([[a, kept]]));
    const count = tf.memory().numTensors;
    const bad = tf.tensor1d([1, 2, 3]);
    expect(() => opt.setGrads(new Map([[a, bad]]))).toThrow(
      new OptimizerError(`setGrads: the gradient of "${a.name}" has shape [3], the parameter [2]`),
    );
    expect(bad.isDisposed).toBe(true);
    expect(() => opt.setGrads(new Map([[b, tf.tensor1d([1])]]))).toThrow(
      new OptimizerError(`setGrads: variable "${b.name}" is not a parameter of this optimizer`),
    );
    expect(tf.memory().numTensors).toBe(count);
    expect(opt.grads.get(a)).toBe(kept);
    expect(kept.isDisposed).toBe(false);
  });
});

describe("freezing", () => {
  function frozenSetup(trainBn?: boolean) {
    vars = variables([1], [2], [3], [4]);
    const [a, bn, c, d] = vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
    const warnings: string[] = [];
    const opt = SGD([[a, bn], [c], [d]], {
      lr: 1,
      forceTrain: new Set([bn]),
      onWarning: (m) => warnings.push(m),
      ...(trainBn === undefined ? {} : { trainBn }),
    });
    opts.push(opt);
    return { opt, a, bn, c, d, warnings };
  }

  it("freeze() trains the last group and force-trained (batch-norm) parameters when trainBn", () => {
    const { opt, bn, d } = frozenSetup();
    expect(opt.trainableParams()).toEqual(vars);
    opt.freeze();
    expect(opt.trainableParams()).toEqual([bn, d]);
    opt.unfreeze();
    expect(opt.trainableParams()).toEqual(vars);
  });

  it("trainBn false freezes force-trained parameters too", () => {
    const { opt, d } = frozenSetup(false);
    opt.freeze();
    expect(opt.trainableParams()).toEqual([d]);
  });

  it("freezeTo(n) counts from the end when negative, and clamps like a Python slice", () => {
    const { opt, bn, c, d, warnings } = frozenSetup();
    opt.freezeTo(1);
    expect(opt.trainableParams()).toEqual([bn, c, d]);
    opt.freezeTo(-2);
    expect(opt.trainableParams()).toEqual([bn, c, d]);
    opt.freezeTo(-10);
    expect(opt.trainableParams()).toEqual(vars);
    opt.freezeTo(2);
    expect(opt.trainableParams()).toEqual([bn, d]);
    expect(warnings).toEqual([]);
  });

  it("freezing every group warns 'whole model is frozen'", () => {
    const { opt, bn, warnings } = frozenSetup();
    opt.freezeTo(3);
    expect(warnings).toEqual(["freezeTo(3): freezing 3 groups; model has 3; whole model is frozen."]);
    expect(opt.trainableParams()).toEqual([bn]);
    opt.freezeTo(7);
    expect(warnings).toHaveLength(2);
    expect(() => opt.freezeTo(1.5)).toThrow(new OptimizerError("freezeTo: n must be an integer, got 1.5"));
  });

  it("step leaves frozen parameters alone even when given their gradients", () => {
    const { opt, a, bn, c, d } = frozenSetup();
    opt.freeze();
    stepWith(opt, vars, [[1], [1], [1], [1]]);
    expect([a, bn, c, d].map((v) => values(v)[0])).toEqual([1, 1, 3, 3]);
  });
});

describe("memory", () => {
  const factories: [string, OptFunc][] = [
    ["SGD", (g, o) => SGD(g, { ...o, mom: 0.9 })],
    ["Adam", Adam],
    ["RMSProp", (g, o) => RMSProp(g, { ...o, mom: 0.9 })],
    ["RAdam", (g, o) => RAdam(g, { ...o, sqrMom: 0.9, beta: 1 })],
    ["Lamb", Lamb],
  ];
  for (const [name, make] of factories) {
    it(`${name}: the tensor count is constant over 60 steps with hypers changing every step`, () => {
      const opt = threeGroups(make, { lr: 1e-2, wd: 0.01 });
      const grads = () => vars.map((v) => values(v).map((x) => 0.1 * x + 0.05));
      const scheduledStep = (t: number) => {
        opt.setHyper("lr", lrSlice(1e-3 * (1 + t / 70)));
        opt.setHyper("mom", 0.95 - t / 700);
        stepWith(opt, vars, grads());
      };
      // The first step creates the state and RAdam (sqrMom 0.9) switches to its rectified rule at step 6;
      // after that, the state and the scalars of the last step (one per distinct coefficient) are all the
      // optimizer holds.
      for (let t = 0; t < 8; t++) scheduledStep(t);
      const count = tf.memory().numTensors;
      for (let t = 8; t < 68; t++) {
        scheduledStep(t);
        expect(tf.memory().numTensors).toBe(count);
      }
      expect(vars.every((v) => values(v).every(Number.isFinite))).toBe(true);
      opt.dispose();
      expect(() => opt.step()).toThrow(new OptimizerError("step: the optimizer has been disposed"));
      // What remains is the variables: dispose freed the state, the scalars and the gradients.
      expect(tf.memory().numTensors).toBe(before + vars.length);
    });
  }

  it("an error inside step leaves parameters and state unchanged and leaks nothing", () => {
    vars = variables([1, 2], [3]);
    const [a, b] = vars as [tf.Variable, tf.Variable];
    const failOnB: Stage = {
      name: "fails on b",
      defaults: {},
      stateKeys: {},
      apply(ctx) {
        if (ctx.p === b) throw new Error("boom");
      },
    };
    // SGD with momentum plus a stage that throws on the second parameter, after the first one is computed.
    const opt = new StagedOptimizer(
      [vars],
      [averageGrad({ dampening: false, defaultMom: 0.9 }), failOnB, sgdStep],
      { lr: 0.1 },
    );
    opts.push(opt);
    // Hypers the caller leaves out come from the stages' defaults.
    expect(opt.hypers).toEqual([{ mom: 0.9, lr: 0.1 }]);
    opt.setGrads(new Map([[a, tf.tensor1d([1, 1])]]));
    opt.step();
    opt.zeroGrad();
    const snapshot = opt.stateDict();
    const count = tf.memory().numTensors;
    opt.setGrads(
      new Map([
        [a, tf.tensor1d([1, 1])],
        [b, tf.tensor1d([1])],
      ]),
    );
    expect(() => opt.step()).toThrow("boom");
    opt.zeroGrad();
    expect(tf.memory().numTensors).toBe(count);
    expectClose(values(a), [0.9, 1.9]);
    expectClose(values(b), [3]);
    const after = opt.stateDict();
    expect(values(after.state[0]?.gradAvg as tf.Tensor)).toEqual(
      values(snapshot.state[0]?.gradAvg as tf.Tensor),
    );
    expect(after.state[1]).toEqual({});
    for (const sd of [snapshot, after])
      for (const st of sd.state) for (const t of Object.values(st)) (t as tf.Tensor).dispose();
  });
});
