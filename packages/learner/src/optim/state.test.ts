/** clearState, stateDict and loadStateDict: shape of the dict, bit-exact round trips, rejected dicts. */
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { initBackend } from "../backend.js";
import { Adam, type Optimizer, OptimizerError, type OptimizerStateDict, SGD } from "./index.js";
import { disposeAll, expectClose, stepWith, values, variables } from "./test-helpers.js";

let vars: tf.Variable[] = [];
let opts: Optimizer[] = [];
let dicts: OptimizerStateDict[] = [];
let before = 0;
beforeAll(async () => {
  await initBackend();
});
beforeEach(() => {
  before = tf.memory().numTensors;
});
afterEach(() => {
  for (const o of opts) o.dispose();
  for (const sd of dicts) freeDict(sd);
  disposeAll(vars);
  [opts, dicts, vars] = [[], [], []];
  expect(tf.memory().numTensors, "tensors leaked by the test").toBe(before);
});

function freeDict(sd: OptimizerStateDict): void {
  for (const s of sd.state) for (const t of Object.values(s)) if (typeof t !== "number") t.dispose();
}
/** The dict with its tensors read out, for exact comparisons. */
function readDict(sd: OptimizerStateDict) {
  return {
    hypers: sd.hypers,
    state: sd.state.map((s) =>
      Object.fromEntries(Object.entries(s).map(([k, t]) => [k, typeof t === "number" ? t : values(t)])),
    ),
  };
}
const GRADS = [
  [
    [0.5, -1],
    [2, 0.25, 1],
  ],
  [
    [-0.3, 0.7],
    [1, -2, 0.5],
  ],
];

/** Two groups, two variables; Adam stepped with GRADS. */
function steppedAdam(): Optimizer {
  vars = variables([1, -2], [0.5, 3, -1]);
  const opt = Adam(
    vars.map((v) => [v]),
    { lr: 0.01 },
  );
  opts.push(opt);
  for (const g of GRADS) stepWith(opt, vars, g);
  return opt;
}

describe("stateDict", () => {
  it("is [{}, {}] for a fresh SGD with momentum (two parameters never stepped)", () => {
    vars = variables([1], [2]);
    const opt = SGD([vars], { lr: 0.1, mom: 0.9 });
    opts.push(opt);
    const sd = opt.stateDict();
    expect(sd).toEqual({ state: [{}, {}], hypers: [{ lr: 0.1, mom: 0.9, wd: 0 }] });
  });

  it("has gradAvg, sqrAvg and step per parameter in parameter order, and hypers per group", () => {
    const opt = steppedAdam();
    const sd = opt.stateDict();
    dicts.push(sd);
    expect(sd.state.map((s) => Object.keys(s).sort())).toEqual([
      ["gradAvg", "sqrAvg", "step"],
      ["gradAvg", "sqrAvg", "step"],
    ]);
    expect(sd.state.map((s) => (s.gradAvg as tf.Tensor).shape)).toEqual([[2], [3]]);
    expect(sd.state[1]?.step).toBe(2);
    // gradAvg after two dampened steps: 0.9*0.1*g1 + 0.1*g2.
    expectClose(values(sd.state[0]?.gradAvg as tf.Tensor), [0.09 * 0.5 + 0.1 * -0.3, 0.09 * -1 + 0.1 * 0.7]);
    expect(sd.hypers).toHaveLength(2);
  });

  it("returns copies: changing or freeing them does not touch the optimizer", () => {
    const opt = steppedAdam();
    const sd = opt.stateDict();
    const second = opt.stateDict();
    dicts.push(second);
    const expected = readDict(second);
    (sd.hypers[0] as Record<string, number>).lr = 123;
    freeDict(sd);
    const again = opt.stateDict();
    dicts.push(again);
    expect(readDict(again)).toEqual(expected);
    expect(opt.hypers[0]?.lr).toBe(0.01);
  });
});

describe("loadStateDict", () => {
  it("round trip is bit-exact, and training continues identically", () => {
    const a = steppedAdam();
    const sd = a.stateDict();
    dicts.push(sd);
    // A second optimizer over copies of the same variables, with other hypers, loads the dict.
    const copies = variables(...vars.map(values));
    vars.push(...copies);
    const b = Adam(
      copies.map((v) => [v]),
      { lr: 0.5, mom: 0.5 },
    );
    opts.push(b);
    b.loadStateDict(sd);
    const fromB = b.stateDict();
    dicts.push(fromB);
    expect(readDict(fromB)).toEqual(readDict(sd));
    expect(b.hypers).toEqual(a.hypers);
    const next = [
      [0.1, 0.2],
      [-0.4, 0.3, 0.9],
    ];
    stepWith(a, vars.slice(0, 2), next);
    stepWith(b, copies, next);
    expect(values(copies[0] as tf.Variable)).toEqual(values(vars[0] as tf.Variable));
    expect(values(copies[1] as tf.Variable)).toEqual(values(vars[1] as tf.Variable));
  });

  it("keeps copies: freeing the loaded dict does not touch the optimizer", () => {
    const a = steppedAdam();
    const sd = a.stateDict();
    const expected = readDict(sd);
    a.clearState();
    a.loadStateDict(sd);
    freeDict(sd);
    const after = a.stateDict();
    dicts.push(after);
    expect(readDict(after)).toEqual(expected);
  });

  const bad: [string, (sd: OptimizerStateDict) => OptimizerStateDict, RegExp][] = [
    [
      "a wrong number of groups",
      (sd) => ({ ...sd, hypers: sd.hypers.slice(0, 1) }),
      /loadStateDict: 1 hyper records for 2 parameter groups/,
    ],
    [
      "a wrong number of parameters",
      (sd) => ({ ...sd, state: [...sd.state, {}] }),
      /loadStateDict: 3 parameter states for 2 parameters/,
    ],
    [
      "a tensor of the wrong shape",
      (sd) => ({ ...sd, state: [sd.state[0] ?? {}, { ...sd.state[1], sqrAvg: tf.zeros([2]) }] }),
      /loadStateDict: state\[1\]\.sqrAvg \(parameter ".*"\) has shape \[2\], the parameter \[3\]/,
    ],
    [
      "an unknown state entry",
      (sd) => ({ ...sd, state: [{ ...sd.state[0], velocity: tf.zeros([2]) }, sd.state[1] ?? {}] }),
      /loadStateDict: state\[0\]\.velocity \(parameter ".*"\): unknown state entry; expected one of \["gradAvg", "sqrAvg", "step"\]/,
    ],
    [
      "a step count that is not a count",
      (sd) => ({ ...sd, state: [{ ...sd.state[0], step: 1.5 }, sd.state[1] ?? {}] }),
      /loadStateDict: state\[0\]\.step \(parameter ".*"\) must be a non-negative integer, got 1.5/,
    ],
    [
      "hypers of another optimizer",
      (sd) => ({
        ...sd,
        hypers: [
          { lr: 1, mom: 0, wd: 0 },
          { lr: 1, mom: 0, wd: 0 },
        ],
      }),
      /loadStateDict: hypers\[0\] has no "sqrMom"/,
    ],
    [
      "a non-finite hyper",
      (sd) => ({ ...sd, hypers: [sd.hypers[0] ?? {}, { ...sd.hypers[1], lr: Number.NaN }] }),
      /loadStateDict: hypers\[1\]\.lr must be a finite number, got NaN/,
    ],
  ];
  for (const [label, corrupt, message] of bad) {
    it(`rejects ${label} and leaves the optimizer untouched`, () => {
      const opt = steppedAdam();
      const good = opt.stateDict();
      dicts.push(good);
      const expected = readDict(good);
      const count = tf.memory().numTensors;
      const corrupted = corrupt(good);
      const added = tf.memory().numTensors - count;
      expect(() => opt.loadStateDict(corrupted)).toThrow(OptimizerError);
      expect(() => opt.loadStateDict(corrupted)).toThrow(message);
      expect(tf.memory().numTensors).toBe(count + added);
      // Free only the tensors the corruption added (the rest belong to `good`).
      const goodTensors = new Set(good.state.flatMap((s) => Object.values(s)));
      for (const s of corrupted.state) {
        for (const t of Object.values(s)) if (typeof t !== "number" && !goodTensors.has(t)) t.dispose();
      }
      const after = opt.stateDict();
      dicts.push(after);
      expect(readDict(after)).toEqual(expected);
    });
  }
});

describe("clearState", () => {
  it("frees the state; the next step is a first step again", () => {
    vars = variables([1, -2]);
    const v = vars[0] as tf.Variable;
    const opt = SGD([vars], { lr: 0.1, mom: 0.9 });
    opts.push(opt);
    const count = tf.memory().numTensors;
    stepWith(opt, vars, [[1, 1]]);
    stepWith(opt, vars, [[1, 1]]);
    opt.clearState();
    const sd = opt.stateDict();
    expect(sd.state).toEqual([{}]);
    // Only the lr scalar of the last step remains cached; the momentum buffer is gone.
    expect(tf.memory().numTensors).toBe(count + 2);
    const p = values(v);
    stepWith(opt, vars, [[1, 2]]);
    // No leftover momentum: p -= lr*g, as on a first step.
    expectClose(values(v), [(p[0] as number) - 0.1, (p[1] as number) - 0.2]);
  });

  it("keeps freezing and the noWd flags", () => {
    vars = variables([1], [2]);
    const [a, b] = vars as [tf.Variable, tf.Variable];
    const opt = SGD([[a], [b]], { lr: 0.1, wd: 0.5, noWd: new Set([b]) });
    opts.push(opt);
    opt.freeze();
    opt.clearState();
    expect(opt.trainableParams()).toEqual([b]);
    stepWith(opt, vars, [[1], [1]]);
    expectClose(values(a), [1]);
    expectClose(values(b), [1.9]);
  });
});
