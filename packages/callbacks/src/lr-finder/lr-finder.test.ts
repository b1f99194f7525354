import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  type Callback,
  CallbackError,
  CancelFitException,
  type DataLoaders,
  initBackend,
  type Learner,
  LearnerError,
} from "@sched/learner";
import { expectNoLeaks, type RegModel, type SynthLearnerOptions } from "@sched/learner/testing";
import { minimum, slide, steep, valley } from "@sched/suggest";
import { beforeAll, describe, expect, test } from "vitest";
import { quietLearner } from "../test-helpers.js";
import { isLrFinderActive } from "./active.js";
import { LRFinder } from "./lr-finder.js";
import { LrFindOptionError } from "./options.js";
import { optimizerOf, tempDir, weightsOf } from "./test-helpers.js";

beforeAll(async () => {
  await initBackend();
});

/** A quiet synth learner (seed 1 unless given), freed after each test. */
function learner(opts: SynthLearnerOptions = {}): Learner<RegModel, DataLoaders> {
  return quietLearner({ seed: 1, ...opts });
}

/** The reference's ramp, written out here (same operation order as SchedExp: start·(end/start)^pos). */
const expRamp = (start: number, end: number, numIt: number, n: number) =>
  Array.from({ length: n }, (_, i) => start * (end / start) ** (i / numIt));

/** Throws CancelFitException after training iteration `at` (order 70: after the finder). */
function cancelAt(at: number): Callback {
  return {
    name: "CancelAt",
    order: 70,
    after_batch: (l) => {
      if (l.training && l.trainIter === at) throw new CancelFitException();
    },
  };
}

describe("spec §9 item 21: fit(20, cbs: LRFinder(numIt 100)) under noLogging", () => {
  test("ramp, lengths, stop rule, values, weights and optimizer state", async () => {
    const path = tempDir();
    const learn = learner({ path });
    const before = weightsOf(learn);
    const finder = new LRFinder({ numIt: 100 });
    await learn.noLogging(() => learn.fit(20, { cbs: [finder] }));
    const rec = learn.recorder as NonNullable<Learner["recorder"]>;
    const { lrs, losses } = rec;
    expect(lrs.length).toBeLessThanOrEqual(100);
    expect(lrs.length).toBeGreaterThan(10);
    expect(losses.length).toBe(lrs.length);
    if (lrs.length < 100) {
      expect(losses.at(-1) as number).toBeGreaterThan(4 * Math.min(...losses));
      expect(finder.stop).toBe("diverged");
    } else {
      expect(finder.stop).toBe("completed");
    }
    // Exactly, not within a tolerance: the same formula as the implementation.
    expect(lrs).toEqual(expRamp(1e-7, 10, 100, lrs.length));
    expect(finder.hps.lr).toEqual(lrs);
    expect(rec.hps).toEqual({ lr: lrs });
    expect(rec.values.length).toBeGreaterThan(0);
    for (const row of rec.values) expect(row).toHaveLength(1);
    // By value, bit for bit (the reference compared references, which is always true).
    expect(weightsOf(learn)).toEqual(before);
    expect(optimizerOf(learn).state).toEqual([{}, {}]);
    expect(readdirSync(path)).toEqual([]);
  });

  test("without divergence the run makes exactly numIt iterations over several epochs", async () => {
    const learn = learner();
    const finder = new LRFinder({ startLr: 1e-6, endLr: 1e-3, numIt: 25 });
    await learn.noLogging(() => learn.fit(5, { cbs: [finder] }));
    const rec = learn.recorder as NonNullable<Learner["recorder"]>;
    expect(finder.stop).toBe("completed");
    expect(rec.lrs).toEqual(expRamp(1e-6, 1e-3, 25, 25));
    // 10 batches per epoch: epochs 0 and 1 finish (validation cancelled), epoch 2 is cut at batch 5.
    expect(rec.values).toEqual([[expect.any(Number)], [expect.any(Number)]]);
    expect(rec.iters).toEqual([10, 20]);
  });
});

describe("spec §9 item 22: the four suggestion functions on lrs[10:-5]", () => {
  test("each gives a finite LR inside the analysed window", async () => {
    const learn = learner();
    await learn.noLogging(() => learn.fit(20, { cbs: [new LRFinder({ numIt: 100 })] }));
    const rec = learn.recorder as NonNullable<Learner["recorder"]>;
    const lrs = rec.lrs.slice(10, -5);
    const losses = rec.losses.slice(10, -5);
    expect(lrs.length).toBeGreaterThanOrEqual(16); // slide's window
    for (const f of [minimum, steep, valley, slide]) {
      const { lr, point } = f(lrs, losses, 100);
      expect(Number.isFinite(lr), f.name).toBe(true);
      // minimum suggests a tenth of the LR at the minimum; the others an LR of the window.
      const lo = f === minimum ? (lrs[0] as number) / 10 : (lrs[0] as number);
      expect(lr, f.name).toBeGreaterThanOrEqual(lo);
      expect(lr, f.name).toBeLessThanOrEqual(lrs.at(-1) as number);
      expect(lrs).toContain(point[0]);
    }
  });
});

describe("the ramp", () => {
  test("linear mode: start + (i/numIt)·(end − start)", async () => {
    const learn = learner();
    const finder = new LRFinder({ startLr: 1e-4, endLr: 1e-2, numIt: 30, stepMode: "linear" });
    await learn.noLogging(() => learn.fit(5, { cbs: [finder] }));
    const want = Array.from({ length: 30 }, (_, i) => 1e-4 + (i / 30) * (1e-2 - 1e-4));
    expect(learn.recorder?.lrs).toEqual(want);
    expect(finder.lrAt(15)).toBe(want[15]);
  });

  test("per-group startLr/endLr arrays: each group follows its own ramp, the last one is recorded", async () => {
    const learn = learner({ splitter: (m) => [[m.a], [m.b]] });
    const seen: number[][] = [];
    const spy: Callback = {
      name: "Spy",
      order: 61,
      before_batch: (l) => {
        if (l.training) seen.push(l.opt?.hypers.map((h) => h.lr as number) ?? []);
      },
    };
    const finder = new LRFinder({ startLr: [1e-7, 1e-6], endLr: [1, 10], numIt: 20 });
    await learn.noLogging(() => learn.fit(3, { cbs: [finder, spy] }));
    const n = seen.length;
    expect(n).toBeGreaterThan(5);
    const g0 = expRamp(1e-7, 1, 20, n);
    const g1 = expRamp(1e-6, 10, 20, n);
    expect(seen).toEqual(g0.map((x, i) => [x, g1[i]]));
    expect(learn.recorder?.lrs).toEqual(g1);
  });

  test("numIt below 6 is clamped to 6, as the reference", () => {
    expect(new LRFinder({ numIt: 3 }).numIt).toBe(6);
    expect(new LRFinder().numIt).toBe(100);
  });

  test("bad options throw LrFindOptionError naming the option and the value", () => {
    const bad: [object, RegExp][] = [
      [{ numIt: 0 }, /LRFinder: numIt must be an integer >= 1, got 0/],
      [{ numIt: 2.5 }, /numIt must be an integer >= 1, got 2\.5/],
      [{ startLr: -1 }, /startLr must be a finite number > 0, got -1/],
      [{ startLr: [1e-7, Number.NaN] }, /startLr\[1\] must be a finite number > 0, got NaN/],
      [{ endLr: [] }, /endLr must be a number > 0 or a non-empty array of them, got \[\]/],
      [{ startLr: 1, endLr: 0.1 }, /endLr must be greater than startLr; got startLr=1, endLr=0.1/],
      [{ startLr: [1e-7, 1e-6], endLr: [1, 2, 3] }, /one value per parameter group each; got 2 and 3/],
      [{ stepMode: "cos" }, /stepMode must be "exp" or "linear", got "cos"/],
      [{ stopDiv: "yes" }, /stopDiv must be true or false, got "yes"/],
    ];
    for (const [opts, message] of bad) {
      expect(() => new LRFinder(opts as never)).toThrow(LrFindOptionError);
      expect(() => new LRFinder(opts as never)).toThrow(message);
    }
  });

  test("per-group arrays that do not match the optimizer's groups fail before anything changes", async () => {
    const learn = learner();
    const before = weightsOf(learn);
    const finder = new LRFinder({ startLr: [1e-7, 1e-6], endLr: 1 });
    const err = await learn.noLogging(() => learn.fit(1, { cbs: [finder] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallbackError);
    expect((err as CallbackError).cause).toBeInstanceOf(LrFindOptionError);
    expect(String((err as Error).message)).toMatch(/give 2 values.*but the optimizer has 1 group/);
    expect(weightsOf(learn)).toEqual(before);
  });
});

describe("stopping", () => {
  test("a NaN loss stops the run at once (the reference would go on: NaN > 4·best is false)", async () => {
    const { NaNBeyond } = await import("./test-helpers.js");
    const base = learner();
    const model = new NaNBeyond(20);
    const { Learner: L, mseLoss, SGD } = await import("@sched/learner");
    const learn = new L(base.dls, model, {
      lossFunc: mseLoss,
      optFunc: (g, o) => SGD(g, { ...o, mom: 0.9 }),
    });
    const before = weightsOf(learn);
    const finder = new LRFinder({ numIt: 200, stopDiv: false });
    try {
      await learn.noLogging(() => learn.fit(30, { cbs: [finder] }));
      const rec = learn.recorder as NonNullable<Learner["recorder"]>;
      expect(finder.stop).toBe("non-finite");
      const raw = rec.batchLosses;
      expect(raw.length).toBeLessThan(200);
      expect(Number.isNaN(raw.at(-1))).toBe(true);
      expect(raw.slice(0, -1).every(Number.isFinite)).toBe(true);
      expect(Number.isNaN(rec.losses.at(-1))).toBe(true);
      expect(weightsOf(learn)).toEqual(before);
    } finally {
      for (const v of model.variables) v.dispose();
      learn.opt?.dispose();
    }
  });

  test("stopDiv: false runs past 4× the best loss", async () => {
    const learn = learner();
    const finder = new LRFinder({ numIt: 100, stopDiv: false });
    await learn.noLogging(() => learn.fit(20, { cbs: [finder] }));
    const losses = learn.recorder?.losses as number[];
    const best = Math.min(...losses.filter(Number.isFinite));
    expect(losses.some((l) => !(l <= 4 * best))).toBe(true);
    expect(finder.stop === "completed" || finder.stop === "non-finite").toBe(true);
  });

  test("validation never runs: before_validate cancels it", async () => {
    const learn = learner();
    let validBatches = 0;
    const spy: Callback = {
      name: "Spy",
      after_batch: (l) => {
        if (!l.training) validBatches++;
      },
    };
    await learn.noLogging(() =>
      learn.fit(4, { cbs: [new LRFinder({ startLr: 1e-6, endLr: 1e-4, numIt: 30 }), spy] }),
    );
    expect(validBatches).toBe(0);
  });
});

describe("restoring", () => {
  /** A learner trained for one epoch, so the optimizer has momentum state and hypers worth checking. */
  async function trained(opts: SynthLearnerOptions = {}) {
    const learn = learner(opts);
    await learn.noLogging(() => learn.fit(1));
    return learn;
  }

  test("after a run another callback cancels at iteration 30: weights and optimizer bit-identical", async () => {
    const learn = await trained();
    const [w, o] = [weightsOf(learn), optimizerOf(learn)];
    expect(o.state.every((s) => Array.isArray(s.gradAvg))).toBe(true);
    const opt = learn.opt;
    const finder = new LRFinder({ numIt: 100 });
    await expectNoLeaks(() => learn.noLogging(() => learn.fit(20, { cbs: [finder, cancelAt(30)] })));
    expect(learn.recorder?.lrs).toHaveLength(30);
    expect(finder.stop).toBeUndefined();
    expect(weightsOf(learn)).toEqual(w);
    expect(optimizerOf(learn)).toEqual(o);
    expect(learn.opt).toBe(opt); // the same object: the run trained a copy
  });

  test("after a run whose model throws at iteration 12", async () => {
    const { throwingModule } = await import("./test-helpers.js");
    const base = await trained();
    const { Learner: L } = await import("@sched/learner");
    const model = throwingModule(base.module, 12);
    const learn = new L(base.dls, model, { lossFunc: base.lossFunc, optFunc: base.optFunc, lr: 1e-3 });
    await learn.noLogging(() => learn.fit(1));
    model.calls = 0;
    const [w, o] = [weightsOf(learn), optimizerOf(learn)];
    const run = () => learn.noLogging(() => learn.fit(20, { cbs: [new LRFinder()] }));
    try {
      await expect(expectNoLeaks(run)).rejects.toThrow("model boom");
      expect(model.calls).toBe(12);
      expect(weightsOf(learn)).toEqual(w);
      expect(optimizerOf(learn)).toEqual(o);
    } finally {
      learn.opt?.dispose();
    }
  });

  test("after a callback throws an ordinary Error at iteration 20", async () => {
    const learn = await trained();
    const [w, o] = [weightsOf(learn), optimizerOf(learn)];
    const boom: Callback = {
      name: "Boom",
      order: 70,
      after_batch: (l) => {
        if (l.trainIter === 20) throw new Error("callback boom");
      },
    };
    const run = () => learn.noLogging(() => learn.fit(20, { cbs: [new LRFinder(), boom] }));
    await expect(expectNoLeaks(run)).rejects.toThrow(/Boom.*after_batch.*callback boom/);
    expect(weightsOf(learn)).toEqual(w);
    expect(optimizerOf(learn)).toEqual(o);
    expect(learn.cbs.some((cb) => cb instanceof LRFinder)).toBe(false);
    expect(isLrFinderActive(learn)).toBe(false);
  });

  test("the loader's epoch counter (its next shuffle) is put back", async () => {
    const learn = await trained();
    const epoch = learn.dls.train.epoch;
    await learn.noLogging(() => learn.fit(20, { cbs: [new LRFinder()] }));
    expect(learn.dls.train.epoch).toBe(epoch);
  });

  test("a LayersModel with batch norm: weights and moving statistics, Adam state", async () => {
    const tf = await import("@tensorflow/tfjs");
    const { Learner: L, mseLoss } = await import("@sched/learner");
    const base = learner();
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 8, inputShape: [1], activation: "relu" }),
        tf.layers.batchNormalization(),
        tf.layers.dense({ units: 1 }),
      ],
    });
    const learn = new L(base.dls, model, { lossFunc: mseLoss, lr: 1e-2 }); // Adam
    try {
      await learn.noLogging(() => learn.fit(1));
      expect(learn.module.buffers?.length).toBe(2);
      const [w, o] = [weightsOf(learn), optimizerOf(learn)];
      expect(o.state.every((s) => typeof s.step === "number" && s.step > 0)).toBe(true);
      let moved = false;
      const spy: Callback = {
        name: "Spy",
        order: 70,
        after_batch: (l) => {
          moved ||= weightsOf(l).some((v, i) => v.some((x, j) => x !== w[i]?.[j]));
        },
      };
      await expectNoLeaks(() => learn.noLogging(() => learn.fit(20, { cbs: [new LRFinder(), spy] })));
      expect(moved).toBe(true);
      expect(weightsOf(learn)).toEqual(w);
      expect(optimizerOf(learn)).toEqual(o);
    } finally {
      learn.dispose();
    }
  });

  test("a frozen group stays frozen during the run and afterwards", async () => {
    // Never stepped: an optimizer trained in place would keep cached scalars, so the count would grow.
    const learn = learner({ splitter: (m) => [[m.a], [m.b]] });
    learn.freeze();
    const a0 = Array.from(learn.model.a.dataSync());
    const aDuring: number[] = [];
    const spy: Callback = {
      name: "Spy",
      order: 70,
      after_batch: (l) => {
        aDuring.push((l.model as RegModel).a.dataSync()[0] as number);
      },
    };
    const w = weightsOf(learn);
    const o = optimizerOf(learn);
    await expectNoLeaks(() =>
      learn.noLogging(() => learn.fit(20, { cbs: [new LRFinder({ numIt: 40 }), spy] })),
    );
    expect(optimizerOf(learn)).toEqual(o);
    expect(aDuring.length).toBeGreaterThan(5);
    expect(aDuring.every((a) => a === a0[0])).toBe(true);
    expect(weightsOf(learn)).toEqual(w);
    expect(learn.opt?.trainableParams()).toEqual([learn.model.b]);
  });

  test("an optimizer from another factory than optFunc is restored in place", async () => {
    const { SGD } = await import("@sched/learner");
    const learn = await trained();
    learn.opt?.dispose();
    learn.opt = SGD([[learn.model.a, learn.model.b]], { lr: 1e-3, mom: 0.5, wd: 0.1 });
    await learn.noLogging(() => learn.fit(1));
    const [w, o] = [weightsOf(learn), optimizerOf(learn)];
    const opt = learn.opt;
    await learn.noLogging(() => learn.fit(20, { cbs: [new LRFinder()] }));
    expect(learn.opt).toBe(opt);
    expect(weightsOf(learn)).toEqual(w);
    expect(optimizerOf(learn)).toEqual(o);
  });

  test("nothing is written under path/modelDir (the folder is not even created)", async () => {
    const path = tempDir();
    const learn = await trained({ path });
    await learn.noLogging(() => learn.fit(20, { cbs: [new LRFinder()] }));
    expect(existsSync(join(path, "models"))).toBe(false);
    expect(readdirSync(path)).toEqual([]);
  });

  test("a finder without a Recorder refuses to run", async () => {
    const learn = learner();
    learn.removeCbs(learn.cbs.filter((cb) => cb === learn.recorder));
    const err = await learn.noLogging(() => learn.fit(1, { cbs: [new LRFinder()] })).catch((e: unknown) => e);
    expect((err as CallbackError).cause).toBeInstanceOf(LearnerError);
    expect(String((err as Error).message)).toMatch(/LRFinder needs a Recorder/);
  });
});
