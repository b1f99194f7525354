import { ParamScheduler, ParamSchedulerError } from "@sched/callbacks";
import {
  type Callback,
  CallbackError,
  initBackend,
  type Learner,
  lrSlice,
  StagedOptimizer,
  sgdStep,
} from "@sched/learner";
import { expectNoLeaks } from "@sched/learner/testing";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, test } from "vitest";
import { PolicyError } from "./errors.js";
import { fineTune } from "./fine-tune.js";
import { fitFlatCos } from "./flat-cos.js";
import { fitOneCycle } from "./one-cycle.js";
import { fitSgdr } from "./sgdr.js";
import { quietLearner, twoGroups } from "./test-helpers.js";

beforeAll(async () => {
  await initBackend();
});

type Call = (learn: Learner) => Promise<void>;

/** Every bad call must reject with exactly `message` and leave the learner as it was. */
async function rejects(call: Call, message: string, groups: 1 | 2 = 1, warm = true): Promise<void> {
  const learn = quietLearner({ nTrn: 2, ...(groups === 2 ? { splitter: twoGroups } : {}) });
  if (warm) await learn.fit(1);
  const batches: number[] = [];
  learn.addCbs([{ before_batch: (l) => batches.push(l.iter) } satisfies Callback]);
  const opt = learn.opt;
  const hypers = JSON.stringify(opt?.hypers);
  const trainable = opt?.trainableParams().length;
  const cbs = [...learn.cbs];
  const err = await expectNoLeaks(() =>
    call(learn).then(
      () => undefined,
      (e: unknown) => e,
    ),
  );
  expect(err).toBeInstanceOf(PolicyError);
  expect((err as Error).message).toBe(message);
  expect(batches).toEqual([]);
  expect(learn.opt).toBe(opt);
  expect(JSON.stringify(learn.opt?.hypers)).toBe(hypers);
  expect(learn.opt?.trainableParams().length).toBe(trainable);
  expect(learn.cbs).toEqual(cbs);
}

const bad = (v: unknown) => v as never;

describe("fitOneCycle rejects bad input, naming the argument and the value", () => {
  test.each<[string, Call, string]>([
    ["nEpoch 0", (l) => fitOneCycle(l, 0), "fitOneCycle: nEpoch must be a positive integer, got 0"],
    ["nEpoch 1.5", (l) => fitOneCycle(l, 1.5), "fitOneCycle: nEpoch must be a positive integer, got 1.5"],
    [
      "nEpoch NaN",
      (l) => fitOneCycle(l, Number.NaN),
      "fitOneCycle: nEpoch must be a positive integer, got NaN",
    ],
    [
      "nEpoch '2'",
      (l) => fitOneCycle(l, bad("2")),
      'fitOneCycle: nEpoch must be a positive integer, got "2"',
    ],
    [
      "pctStart 0",
      (l) => fitOneCycle(l, 1, { pctStart: 0 }),
      "fitOneCycle: pctStart must be a number in (0, 1), got 0",
    ],
    [
      "pctStart 1",
      (l) => fitOneCycle(l, 1, { pctStart: 1 }),
      "fitOneCycle: pctStart must be a number in (0, 1), got 1",
    ],
    [
      "pctStart 1.5",
      (l) => fitOneCycle(l, 1, { pctStart: 1.5 }),
      "fitOneCycle: pctStart must be a number in (0, 1), got 1.5",
    ],
    [
      "pctStart NaN",
      (l) => fitOneCycle(l, 1, { pctStart: Number.NaN }),
      "fitOneCycle: pctStart must be a number in (0, 1), got NaN",
    ],
    ["div 0", (l) => fitOneCycle(l, 1, { div: 0 }), "fitOneCycle: div must be a finite number > 0, got 0"],
    [
      "div -25",
      (l) => fitOneCycle(l, 1, { div: -25 }),
      "fitOneCycle: div must be a finite number > 0, got -25",
    ],
    [
      "div Infinity",
      (l) => fitOneCycle(l, 1, { div: Number.POSITIVE_INFINITY }),
      "fitOneCycle: div must be a finite number > 0, got Infinity",
    ],
    [
      "divFinal 0",
      (l) => fitOneCycle(l, 1, { divFinal: 0 }),
      "fitOneCycle: divFinal must be a finite number > 0, got 0",
    ],
    [
      "divFinal -1",
      (l) => fitOneCycle(l, 1, { divFinal: -1 }),
      "fitOneCycle: divFinal must be a finite number > 0, got -1",
    ],
    [
      "moms of length 2",
      (l) => fitOneCycle(l, 1, { moms: bad([0.95, 0.85]) }),
      "fitOneCycle: moms must be 3 numbers in [0, 1) (start, minimum, end), got [0.95, 0.85]",
    ],
    [
      "moms with 1",
      (l) => fitOneCycle(l, 1, { moms: [0.95, 0.85, 1] }),
      "fitOneCycle: moms must be 3 numbers in [0, 1) (start, minimum, end), got [0.95, 0.85, 1]",
    ],
    [
      "moms with a negative",
      (l) => fitOneCycle(l, 1, { moms: [0.95, -0.1, 0.9] }),
      "fitOneCycle: moms must be 3 numbers in [0, 1) (start, minimum, end), got [0.95, -0.1, 0.9]",
    ],
    [
      "lrMax of 2 values for 1 group",
      (l) => fitOneCycle(l, 1, { lrMax: [1e-3, 1e-2] }),
      "fitOneCycle: lrMax has 2 values [0.001, 0.01] but the learner has 1 parameter group(s); give one per group",
    ],
    [
      "lrMax -1",
      (l) => fitOneCycle(l, 1, { lrMax: -1 }),
      "fitOneCycle: lrMax must be a finite number > 0, got -1",
    ],
    [
      "lrMax NaN",
      (l) => fitOneCycle(l, 1, { lrMax: Number.NaN }),
      "fitOneCycle: lrMax must be a finite number > 0, an array of them (one per group) or an lrSlice, got NaN",
    ],
    [
      "startEpoch = nEpoch",
      (l) => fitOneCycle(l, 5, { startEpoch: 5 }),
      "fitOneCycle: startEpoch must be an integer in [0, nEpoch) = [0, 5), got 5",
    ],
    [
      "startEpoch -1",
      (l) => fitOneCycle(l, 5, { startEpoch: -1 }),
      "fitOneCycle: startEpoch must be an integer in [0, nEpoch) = [0, 5), got -1",
    ],
    [
      "startEpoch 1.5",
      (l) => fitOneCycle(l, 5, { startEpoch: 1.5 }),
      "fitOneCycle: startEpoch must be an integer in [0, nEpoch) = [0, 5), got 1.5",
    ],
    ["wd -1", (l) => fitOneCycle(l, 1, { wd: -1 }), "fitOneCycle: wd must be a finite number >= 0, got -1"],
    [
      "cbs not an array",
      (l) => fitOneCycle(l, 1, { cbs: bad({}) }),
      "fitOneCycle: cbs must be an array of callbacks, got {}",
    ],
    [
      "resetOpt 'yes'",
      (l) => fitOneCycle(l, 1, { resetOpt: bad("yes") }),
      'fitOneCycle: resetOpt must be a boolean, got "yes"',
    ],
  ])("%s", (_, call, message) => rejects(call, message));

  test("lrMax arrays against two groups, and a learn.lr that cannot be spread", async () => {
    await rejects(
      (l) => fitOneCycle(l, 1, { lrMax: [1e-3] }),
      "fitOneCycle: lrMax has 1 value [0.001] but the learner has 2 parameter group(s); give one per group",
      2,
    );
    await rejects(
      (l) => fitOneCycle(l, 1, { lrMax: [1e-3, 1e-2, 1e-1] }),
      "fitOneCycle: lrMax has 3 values [0.001, 0.01, 0.1] but the learner has 2 parameter group(s); give one per group",
      2,
    );
    await rejects(
      (l) => fitOneCycle(l, 1, { lrMax: lrSlice(-1e-3, 1e-2) }),
      "fitOneCycle: lrMax must be a finite number > 0, got lrSlice(-0.001, 0.01)",
      2,
    );
    await rejects((l) => {
      l.lr = [1e-3, 1e-2];
      return fitOneCycle(l, 1);
    }, "fitOneCycle: lrMax (from learn.lr) has 2 values [0.001, 0.01] but the learner has 1 parameter group(s); give one per group");
  });

  test("a learner without an optimizer still has none after a rejected call", async () => {
    await rejects(
      (l) => fitOneCycle(l, 1, { lrMax: [1, 2, 3] }),
      "fitOneCycle: lrMax has 3 values [1, 2, 3] but the learner has 1 parameter group(s); give one per group",
      1,
      false,
    );
  });
});

describe("fitFlatCos, fitSgdr and fineTune reject bad input", () => {
  test.each<[string, Call, string]>([
    [
      "fitFlatCos nEpoch -1",
      (l) => fitFlatCos(l, -1),
      "fitFlatCos: nEpoch must be a positive integer, got -1",
    ],
    [
      "fitFlatCos pctStart 1",
      (l) => fitFlatCos(l, 2, { pctStart: 1 }),
      "fitFlatCos: pctStart must be a number in (0, 1), got 1",
    ],
    [
      "fitFlatCos divFinal 0",
      (l) => fitFlatCos(l, 2, { divFinal: 0 }),
      "fitFlatCos: divFinal must be a finite number > 0, got 0",
    ],
    [
      "fitFlatCos lr 0",
      (l) => fitFlatCos(l, 2, { lr: 0 }),
      "fitFlatCos: lr must be a finite number > 0, got 0",
    ],
    [
      "fitFlatCos startEpoch 2 of 2",
      (l) => fitFlatCos(l, 2, { startEpoch: 2 }),
      "fitFlatCos: startEpoch must be an integer in [0, nEpoch) = [0, 2), got 2",
    ],
    ["fitSgdr nCycles 0", (l) => fitSgdr(l, 0, 1), "fitSgdr: nCycles must be a positive integer, got 0"],
    [
      "fitSgdr cycleLen 1.5",
      (l) => fitSgdr(l, 2, 1.5),
      "fitSgdr: cycleLen must be a positive integer, got 1.5",
    ],
    ["fitSgdr cycleLen 0", (l) => fitSgdr(l, 2, 0), "fitSgdr: cycleLen must be a positive integer, got 0"],
    [
      "fitSgdr cycleMult 0",
      (l) => fitSgdr(l, 2, 1, { cycleMult: 0 }),
      "fitSgdr: cycleMult must be an integer >= 1 (every cycle is a whole number of epochs), got 0",
    ],
    [
      "fitSgdr cycleMult 1.5",
      (l) => fitSgdr(l, 2, 1, { cycleMult: 1.5 }),
      "fitSgdr: cycleMult must be an integer >= 1 (every cycle is a whole number of epochs), got 1.5",
    ],
    [
      "fitSgdr startEpoch 7 of 7",
      (l) => fitSgdr(l, 3, 1, { startEpoch: 7 }),
      "fitSgdr: startEpoch must be an integer in [0, nEpoch) = [0, 7), got 7",
    ],
    [
      "fitSgdr too many epochs",
      (l) => fitSgdr(l, 80, 1, { cycleMult: 2 }),
      "fitSgdr: nCycles 80, cycleLen 1 and cycleMult 2 make 1.2089258196146292e+24 epochs, too many to count",
    ],
    ["fineTune epochs 0", (l) => fineTune(l, 0), "fineTune: epochs must be a positive integer, got 0"],
    [
      "fineTune baseLr 0",
      (l) => fineTune(l, 1, { baseLr: 0 }),
      "fineTune: baseLr must be a finite number > 0, got 0",
    ],
    [
      "fineTune freezeEpochs -1",
      (l) => fineTune(l, 1, { freezeEpochs: -1 }),
      "fineTune: freezeEpochs must be an integer >= 0, got -1",
    ],
    [
      "fineTune lrMult 0",
      (l) => fineTune(l, 1, { lrMult: 0 }),
      "fineTune: lrMult must be a finite number > 0, got 0",
    ],
    [
      "fineTune pctStart 1",
      (l) => fineTune(l, 1, { pctStart: 1 }),
      "fineTune: pctStart must be a number in (0, 1), got 1",
    ],
    ["fineTune div 0", (l) => fineTune(l, 1, { div: 0 }), "fineTune: div must be a finite number > 0, got 0"],
    [
      "fineTune divFinal -5",
      (l) => fineTune(l, 1, { divFinal: -5 }),
      "fineTune: divFinal must be a finite number > 0, got -5",
    ],
    [
      "fineTune moms",
      (l) => fineTune(l, 1, { moms: bad([0.9, 0.8]) }),
      "fineTune: moms must be 3 numbers in [0, 1) (start, minimum, end), got [0.9, 0.8]",
    ],
    [
      "fineTune wd NaN",
      (l) => fineTune(l, 1, { wd: Number.NaN }),
      "fineTune: wd must be a finite number >= 0, an array of them (one per group) or an lrSlice, got NaN",
    ],
    [
      "fineTune startEpoch",
      (l) => fineTune(l, 1, bad({ startEpoch: 1 })),
      "fineTune: startEpoch is not an option of fineTune (it sets each phase's lrMax; resume a phase with fitOneCycle)",
    ],
    [
      "fineTune lrMax",
      (l) => fineTune(l, 1, bad({ lrMax: 1e-3 })),
      "fineTune: lrMax is not an option of fineTune (it sets each phase's lrMax; resume a phase with fitOneCycle)",
    ],
  ])("%s", (_, call, message) => rejects(call, message));

  test("fineTune on two groups: a rejected call leaves the learner unfrozen", async () => {
    await rejects(
      (l) => fineTune(l, 1, { pctStart: 0 }),
      "fineTune: pctStart must be a number in (0, 1), got 0",
      2,
    );
  });
});

describe("failures inside a policy's fit", () => {
  test("an optimizer without `mom`: fitOneCycle fails at before_fit, before any batch, leaking nothing", async () => {
    const learn = quietLearner({
      nTrn: 2,
      optFunc: (groups, o) => new StagedOptimizer(groups, [sgdStep], { lr: o?.lr ?? 1e-3 }, o),
    });
    await learn.fit(1);
    const batches: number[] = [];
    const err = await expectNoLeaks(() =>
      fitOneCycle(learn, 1, { cbs: [{ before_batch: (l) => batches.push(l.iter) }] }).catch(
        (e: unknown) => e,
      ),
    );
    expect(err).toBeInstanceOf(CallbackError);
    expect((err as CallbackError).cause).toBeInstanceOf(ParamSchedulerError);
    expect((err as Error).message).toMatch(/unknown hyper-parameter "mom"; this optimizer has \[lr\]/);
    expect(batches).toEqual([]);
    // fitFlatCos schedules lr only, so it works on that optimizer.
    await fitFlatCos(learn, 1);
    expect(learn.recorder?.hps.lr).toHaveLength(2);
  });

  test.each<[string, (l: Learner, cbs: Callback[]) => Promise<void>]>([
    ["fitOneCycle", (l, cbs) => fitOneCycle(l, 2, { cbs })],
    ["fitFlatCos", (l, cbs) => fitFlatCos(l, 2, { cbs })],
    ["fitSgdr", (l, cbs) => fitSgdr(l, 2, 1, { cbs })],
    ["fineTune", (l, cbs) => fineTune(l, 1, { cbs })],
  ])(
    "%s: a callback throwing mid-fit propagates and leaks nothing; the learner stays usable",
    async (_, policy) => {
      const learn = quietLearner({ nTrn: 3, splitter: twoGroups });
      await learn.fit(1, { lr: [1e-3, 1e-2] }); // state and per-group scalars exist, as after the policies
      let seen = 0;
      const boom: Callback = {
        name: "Boom",
        after_loss: () => {
          seen += 1;
          if (seen === 2) throw new Error("boom");
        },
      };
      const before = tf.memory().numTensors;
      await expect(policy(learn, [boom])).rejects.toThrow(/`Boom`.*`after_loss`.*boom/);
      expect(learn.cbs.some((cb) => cb instanceof ParamScheduler || cb === boom)).toBe(false);
      // The optimizer's state and scalar cache depend on where the fit stopped (fineTune stops frozen):
      // a normal fit puts them back as they were, so any other tensor left over would be a leak.
      learn.unfreeze();
      await learn.fit(1, { lr: [1e-3, 1e-2] });
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});
