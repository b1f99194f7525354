import { initBackend } from "@sched/learner";
import { expectNoLeaks } from "@sched/learner/testing";
import { beforeAll, describe, expect, test } from "vitest";
import { fitSgdr, sgdrEpochs } from "./sgdr.js";
import { cos, hyperProbe, quietLearner, twoGroups } from "./test-helpers.js";

beforeAll(async () => {
  await initBackend();
});

/** Asserts that `lrs` is a run of full cosine cycles lrMax → 0 of `lengths` batches each. */
function expectCycles(lrs: readonly number[], lengths: readonly number[], lrMax: number): void {
  expect(lrs).toHaveLength(lengths.reduce((a, b) => a + b, 0));
  let at = 0;
  for (const n of lengths) {
    const cycle = lrs.slice(at, at + n);
    // The whole cycle, its first batch included: it starts at exactly lrMax.
    expect(cycle[0]).toBe(lrMax);
    const expected = Array.from({ length: n }, (_, k) => cos(lrMax, 0, k / n));
    cycle.forEach((v, k) => {
      expect(Math.abs(v - (expected[k] as number))).toBeLessThanOrEqual(1e-12 * lrMax);
    });
    at += n;
  }
}

describe("fitSgdr", () => {
  test("spec §9 item 17: fitSgdr(3, 1) runs 7 epochs of cosine cycles of 10, 20 and 40 batches", async () => {
    const learn = quietLearner();
    await learn.noLogging(() => fitSgdr(learn, 3, 1));
    expect(learn.nEpoch).toBe(7);
    const lrs = learn.recorder?.lrs ?? [];
    expect(learn.recorder?.hps.lr).toEqual(lrs);
    expectCycles(lrs, [10, 20, 40], 1e-3);
    // The reference skips each cycle's first batch (float32 boundaries can leave it at lr ≈ 0); here it is lrMax.
    expect([lrs[0], lrs[10], lrs[30]]).toEqual([1e-3, 1e-3, 1e-3]);
  });

  test("cycleMult 1 gives cycles of equal length (the reference divides by zero)", async () => {
    const learn = quietLearner({ nTrn: 4, lr: 2e-3 });
    await learn.fit(1);
    await expectNoLeaks(() => fitSgdr(learn, 3, 2, { cycleMult: 1 }));
    expect(learn.nEpoch).toBe(6);
    expectCycles(learn.recorder?.lrs ?? [], [8, 8, 8], 2e-3);
  });

  test("cycleMult 3, lrMax per group", async () => {
    const learn = quietLearner({ nTrn: 2, splitter: twoGroups });
    const fits: number[][][] = [];
    await fitSgdr(learn, 2, 1, { cycleMult: 3, lrMax: [1e-3, 4e-3], cbs: [hyperProbe("lr", fits)] });
    expect(learn.nEpoch).toBe(4);
    const rows = fits[0] ?? [];
    expectCycles(
      rows.map((r) => r[0] as number),
      [2, 6],
      1e-3,
    );
    expectCycles(
      rows.map((r) => r[1] as number),
      [2, 6],
      4e-3,
    );
  });

  test("sgdrEpochs", () => {
    expect([sgdrEpochs(3, 1, 2), sgdrEpochs(2, 3, 3), sgdrEpochs(4, 2, 1), sgdrEpochs(1, 5, 2)]).toEqual([
      7, 12, 8, 5,
    ]);
  });
});
