import { initBackend, lrSlice } from "@sched/learner";
import { expectNoLeaks } from "@sched/learner/testing";
import { beforeAll, describe, expect, test } from "vitest";
import { fitFlatCos } from "./flat-cos.js";
import { combined, hyperProbe, quietLearner, testRelClose, twoGroups } from "./test-helpers.js";

beforeAll(async () => {
  await initBackend();
});

describe("fitFlatCos", () => {
  test("flat at lr for 75% of training, then a cosine to lr/1e5; momentum untouched", async () => {
    const learn = quietLearner({ lr: 1e-2 });
    await learn.fit(1);
    const mom = learn.opt?.hypers[0]?.mom;
    await expectNoLeaks(() => fitFlatCos(learn, 2));
    const lrs = learn.recorder?.hps.lr ?? [];
    expect(lrs).toHaveLength(20);
    // Batches 0..14 (pos < .75) at exactly lr; then the cosine.
    expect(lrs.slice(0, 15)).toEqual(Array(15).fill(1e-2));
    testRelClose(
      lrs,
      Array.from({ length: 20 }, (_, i) => combined(0.75, 1e-2, 1e-2, 1e-7, i / 20)),
      1e-12,
    );
    expect(lrs[19]).toBeLessThan(1e-3);
    expect(Object.keys(learn.recorder?.hps ?? {})).toEqual(["lr"]);
    expect(learn.opt?.hypers[0]?.mom).toBe(mom);
  });

  test("lr, divFinal and pctStart; per-group lrs", async () => {
    const learn = quietLearner({ nTrn: 5, splitter: twoGroups });
    const fits: number[][][] = [];
    await fitFlatCos(learn, 2, {
      lr: lrSlice(1e-3, 4e-3),
      divFinal: 10,
      pctStart: 0.5,
      cbs: [hyperProbe("lr", fits)],
    });
    const rows = fits[0] ?? [];
    rows.forEach((row, i) => {
      testRelClose(
        row,
        [1e-3, 4e-3].map((lr) => combined(0.5, lr, lr, lr / 10, i / 10)),
        1e-12,
      );
    });
  });
});
