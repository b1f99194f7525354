import { type Callback, initBackend, type Learner } from "@sched/learner";
import { expectNoLeaks } from "@sched/learner/testing";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, test } from "vitest";
import { fineTune } from "./fine-tune.js";
import { combined, hyperProbe, quietLearner, testRelClose, twoGroups } from "./test-helpers.js";

beforeAll(async () => {
  await initBackend();
});

interface Phase {
  /** State keys per parameter at before_fit. */
  state: string[][];
  /** Names of the parameters that train. */
  trainable: string[];
  /** a and b at before_fit and after_fit. */
  start: number[];
  end: number[];
}

/** Records, for each fit (phase), what the optimizer and the model look like. */
function phaseProbe(phases: Phase[]): Callback {
  const ab = (l: Learner) => l.module.variables.map((v) => v.dataSync()[0] as number);
  return {
    name: "PhaseProbe",
    before_fit: (l) => {
      const sd = l.opt?.stateDict();
      const state = (sd?.state ?? []).map((s) => Object.keys(s));
      for (const s of sd?.state ?? [])
        for (const v of Object.values(s)) if (v instanceof tf.Tensor) v.dispose();
      const trainable = (l.opt?.trainableParams() ?? []).map((v) => v.name.split("/").pop() as string);
      phases.push({ state, trainable, start: ab(l), end: [] });
    },
    after_fit: (l) => {
      const p = phases.at(-1);
      if (p) p.end = ab(l);
    },
  };
}

const pos10 = Array.from({ length: 10 }, (_, i) => i / 10);

describe("fineTune (spec §9 item 18)", () => {
  test("one group: fineTune(1) runs a frozen phase then an unfrozen one with the reference's schedules", async () => {
    const learn = quietLearner();
    const lr: number[][][] = [];
    const mom: number[][][] = [];
    await fineTune(learn, 1, { cbs: [hyperProbe("lr", lr), hyperProbe("mom", mom)] });
    expect(lr).toHaveLength(2);
    // Phase 1: lrSlice(2e-3) on one group is 2e-3; pctStart 0.99, div 25, divFinal 1e5.
    testRelClose(
      lr[0]?.map((r) => r[0] as number) ?? [],
      pos10.map((p) => combined(0.99, 8e-5, 2e-3, 2e-8, p)),
      1e-12,
    );
    testRelClose(
      mom[0]?.map((r) => r[0] as number) ?? [],
      pos10.map((p) => combined(0.99, 0.95, 0.85, 0.95, p)),
      1e-12,
    );
    // Phase 2: baseLr halved to 1e-3; lrSlice(1e-5, 1e-3) on one group is 1e-3; pctStart 0.3, div 5.
    testRelClose(
      lr[1]?.map((r) => r[0] as number) ?? [],
      pos10.map((p) => combined(0.3, 2e-4, 1e-3, 1e-8, p)),
      1e-12,
    );
    testRelClose(
      mom[1]?.map((r) => r[0] as number) ?? [],
      pos10.map((p) => combined(0.3, 0.95, 0.85, 0.95, p)),
      1e-12,
    );
    // The recorder holds the last phase.
    expect(learn.recorder?.hps.lr).toEqual(lr[1]?.map((r) => r[0]));
  });

  test("two groups: the body is frozen in phase 1, lrSlice spreads the lrs, the state is cleared between phases", async () => {
    const learn = quietLearner({ splitter: twoGroups, lr: 1e-2 });
    // Momentum buffers exist for both parameters before fineTune, and the optimizer's scalar cache holds
    // one lr per group (as after fineTune), so any change in the tensor count would be a leak.
    await learn.fit(1, { lr: [1e-3, 1e-2] });
    const lr: number[][][] = [];
    const phases: Phase[] = [];
    await expectNoLeaks(() => fineTune(learn, 1, { cbs: [hyperProbe("lr", lr), phaseProbe(phases)] }));
    const [frozen, unfrozen] = phases as [Phase, Phase];
    // Phase 1: freeze() cleared the state; only the head (b) trains; a does not move.
    expect(frozen.state).toEqual([[], []]);
    expect(frozen.trainable).toEqual(["b"]);
    expect(frozen.end[0]).toBe(frozen.start[0]);
    expect(frozen.end[1]).not.toBe(frozen.start[1]);
    // lrSlice(2e-3) on two groups: [2e-4, 2e-3].
    lr[0]?.forEach((row, i) => {
      testRelClose(
        row,
        [2e-4, 2e-3].map((m) => combined(0.99, m / 25, m, m / 1e5, i / 10)),
        1e-12,
      );
    });
    // Phase 2: unfreeze() cleared the state phase 1 built for b; everything trains.
    expect(unfrozen.state).toEqual([[], []]);
    expect(unfrozen.trainable).toEqual(["a", "b"]);
    expect(unfrozen.end[0]).not.toBe(unfrozen.start[0]);
    // baseLr / 2 = 1e-3: lrSlice(1e-5, 1e-3) on two groups is [1e-5, 1e-3] (geometric spread).
    lr[1]?.forEach((row, i) => {
      testRelClose(
        row,
        [1e-5, 1e-3].map((m) => combined(0.3, m / 5, m, m / 1e5, i / 10)),
        1e-12,
      );
    });
    expect(learn.opt?.trainableParams()).toHaveLength(2);
  });

  test("options: baseLr, lrMult, div, pctStart, freezeEpochs (0 skips the frozen phase), divFinal and moms", async () => {
    const learn = quietLearner({ splitter: twoGroups, nTrn: 5 });
    const lr: number[][][] = [];
    const mom: number[][][] = [];
    const opts = {
      baseLr: 8e-3,
      lrMult: 4,
      div: 2,
      pctStart: 0.5,
      divFinal: 10,
      moms: [0.9, 0.8, 0.85] as const,
    };
    await fineTune(learn, 2, {
      ...opts,
      freezeEpochs: 0,
      cbs: [hyperProbe("lr", lr), hyperProbe("mom", mom)],
    });
    expect(lr).toHaveLength(1);
    lr[0]?.forEach((row, i) => {
      testRelClose(
        row,
        [1e-3, 4e-3].map((m) => combined(0.5, m / 2, m, m / 10, i / 10)),
        1e-12,
      );
    });
    testRelClose(
      mom[0]?.map((r) => r[1] as number) ?? [],
      pos10.map((p) => combined(0.5, 0.9, 0.8, 0.85, p)),
      1e-12,
    );
    const two: number[][][] = [];
    await fineTune(learn, 1, { freezeEpochs: 2, cbs: [hyperProbe("lr", two)] });
    expect(two.map((f) => f.length)).toEqual([10, 5]);
  });

  test("resetOpt builds a fresh optimizer once, before freezing: the body stays frozen", async () => {
    const learn = quietLearner({ splitter: twoGroups, nTrn: 3 });
    await learn.fit(1);
    const old = learn.opt;
    const phases: Phase[] = [];
    await fineTune(learn, 1, { resetOpt: true, cbs: [phaseProbe(phases)] });
    expect(learn.opt).not.toBe(old);
    expect(phases.map((p) => p.trainable)).toEqual([["b"], ["a", "b"]]);
    expect(phases[0]?.end[0]).toBe(phases[0]?.start[0]);
  });
});
