import { ParamScheduler } from "@sched/callbacks";
import { type DataLoaders, initBackend, type Learner, lrSlice } from "@sched/learner";
import { expectNoLeaks, type RegModel } from "@sched/learner/testing";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, test } from "vitest";
import { fitOneCycle } from "./one-cycle.js";
import { combined, hyperProbe, quietLearner, testRelClose, twoGroups } from "./test-helpers.js";

beforeAll(async () => {
  await initBackend();
});

/** The MSE of the model on the first training batch. */
async function oneBatchLoss(learn: Learner<RegModel, DataLoaders>): Promise<number> {
  const [xb, yb] = await learn.dls.train.oneBatch();
  try {
    return tf.tidy(
      () => learn.lossFunc(learn.module.call(xb, { training: false }), yb).dataSync()[0] as number,
    );
  } finally {
    tf.dispose([xb, yb]);
  }
}

describe("fitOneCycle on synthLearner (spec §9 items 12–14)", () => {
  test("item 12: training lowers the loss on a training batch", async () => {
    const learn = quietLearner({ lr: 1e-2 });
    const before = await oneBatchLoss(learn);
    await fitOneCycle(learn, 2);
    const after = await oneBatchLoss(learn);
    expect(after).toBeLessThan(before);
    expect(after).toBeLessThan(0.5 * before);
  });

  test("items 13 and 14: the 20 lr and 20 mom values of fitOneCycle(2)", async () => {
    const learn = quietLearner({ lr: 1e-2 });
    await fitOneCycle(learn, 2);
    const hps = learn.recorder?.hps ?? {};
    // The notebook's listed values (combined_cos(.25, 4e-4, 1e-2, 1e-7) and (.25, .95, .85, .95) at i/20).
    const lrs = [
      4e-4, 1.31672e-3, 3.71672e-3, 6.68328e-3, 9.08328e-3, 1e-2, 9.89074e-3, 9.56773e-3, 9.04509e-3,
      8.34567e-3, 7.50002e-3, 6.54512e-3, 5.52269e-3, 4.47741e-3, 3.45498e-3, 2.50007e-3, 1.65443e-3,
      9.55005e-4, 4.32369e-4, 1.09361e-4,
    ];
    const moms = [
      0.95, 0.940451, 0.915451, 0.884549, 0.859549, 0.85, 0.851093, 0.854323, 0.859549, 0.866543, 0.875,
      0.884549, 0.894774, 0.905226, 0.915451, 0.925, 0.933457, 0.940451, 0.945677, 0.948907,
    ];
    testRelClose(hps.lr ?? [], lrs, 1e-5);
    testRelClose(hps.mom ?? [], moms, 1e-5);
    // And by the formula written out, to float precision.
    const pos = Array.from({ length: 20 }, (_, i) => i / 20);
    testRelClose(
      hps.lr ?? [],
      pos.map((p) => combined(0.25, 4e-4, 1e-2, 1e-7, p)),
      1e-12,
    );
    testRelClose(
      hps.mom ?? [],
      pos.map((p) => combined(0.25, 0.95, 0.85, 0.95, p)),
      1e-12,
    );
    expect(learn.recorder?.lrs).toEqual(hps.lr);
    expect(Object.keys(hps)).toEqual(["lr", "mom"]);
    expect(learn.nEpoch).toBe(2);
    expect(learn.cbs.some((cb) => cb instanceof ParamScheduler)).toBe(false);
  });

  test("custom lrMax, div, divFinal, pctStart and moms shape the curves", async () => {
    const learn = quietLearner({ nTrn: 5 });
    await fitOneCycle(learn, 2, {
      lrMax: 4e-3,
      div: 10,
      divFinal: 100,
      pctStart: 0.4,
      moms: [0.9, 0.8, 0.7],
    });
    const pos = Array.from({ length: 10 }, (_, i) => i / 10);
    const hps = learn.recorder?.hps ?? {};
    testRelClose(
      hps.lr ?? [],
      pos.map((p) => combined(0.4, 4e-4, 4e-3, 4e-5, p)),
      1e-12,
    );
    testRelClose(
      hps.mom ?? [],
      pos.map((p) => combined(0.4, 0.9, 0.8, 0.7, p)),
      1e-12,
    );
  });

  test("the learner's lr and moms are the defaults; an lrSlice learn.lr spreads over the groups", async () => {
    const learn = quietLearner({ nTrn: 4, splitter: twoGroups, lr: lrSlice(3e-3), moms: [0.9, 0.5, 0.6] });
    const fits: number[][][] = [];
    await fitOneCycle(learn, 1, { cbs: [hyperProbe("lr", fits)] });
    const pos = [0, 0.25, 0.5, 0.75];
    testRelClose(
      fits[0]?.map((r) => r[0] as number) ?? [],
      pos.map((p) => combined(0.25, 3e-4 / 25, 3e-4, 3e-9, p)),
      1e-12,
    );
    testRelClose(
      fits[0]?.map((r) => r[1] as number) ?? [],
      pos.map((p) => combined(0.25, 3e-3 / 25, 3e-3, 3e-8, p)),
      1e-12,
    );
    testRelClose(
      learn.recorder?.hps.mom ?? [],
      pos.map((p) => combined(0.25, 0.9, 0.5, 0.6, p)),
      1e-12,
    );
  });

  test("creates the optimizer if missing; leaks nothing once its state exists", async () => {
    const learn = quietLearner({ nTrn: 3 });
    expect(learn.opt).toBeUndefined();
    await fitOneCycle(learn, 1, { wd: 1e-2 });
    expect(learn.opt).toBeDefined();
    // The optimizer now holds its state and the scalars of its last step (one more for a non-zero wd).
    await expectNoLeaks(() => fitOneCycle(learn, 2, { wd: 1e-2 }));
    expect(learn.opt?.hypers[0]?.wd).toBe(1e-2);
  });
});

describe("two groups (spec §9 item 15)", () => {
  test("fitOneCycle(1, lrMax: lrSlice(1e-3, 1e-2)): each group follows its own one-cycle, 10× apart", async () => {
    const learn = quietLearner({ splitter: twoGroups });
    const fits: number[][][] = [];
    await fitOneCycle(learn, 1, { lrMax: lrSlice(1e-3, 1e-2), cbs: [hyperProbe("lr", fits)] });
    const rows = fits[0] ?? [];
    expect(rows).toHaveLength(10);
    rows.forEach((row, i) => {
      testRelClose(
        row,
        [1e-3, 1e-2].map((m) => combined(0.25, m / 25, m, m / 1e5, i / 10)),
        1e-12,
      );
    });
    // The peak of the schedule is exactly [1e-3, 1e-2]: between batches 2 and 3 (pos .25), reached by
    // neither; the spread stays geometric.
    for (const row of rows) expect((row[1] as number) / (row[0] as number)).toBeCloseTo(10, 9);
    testRelClose(
      learn.recorder?.hps.lr ?? [],
      rows.map((r) => r[1] as number),
      0,
    );
  });

  test("per-group arrays work too", async () => {
    const learn = quietLearner({ splitter: twoGroups, nTrn: 4 });
    const fits: number[][][] = [];
    await fitOneCycle(learn, 1, { lrMax: [2e-3, 5e-3], cbs: [hyperProbe("lr", fits)] });
    testRelClose(fits[0]?.[0] ?? [], [2e-3 / 25, 5e-3 / 25], 1e-12);
  });
});
