import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  type Callback,
  type DataLoaders,
  initBackend,
  type Learner,
  Learner as LearnerClass,
  mseLoss,
  SGD,
} from "@sched/learner";
import { expectNoLeaks, type RegModel, type SynthLearnerOptions } from "@sched/learner/testing";
import { halfway, LrFindError, minimum, slide, steep, suggestFunc, valley } from "@sched/suggest";
import { beforeAll, describe, expect, test } from "vitest";
import { quietLearner } from "../test-helpers.js";
import { SaveModel } from "../trackers/save-model.js";
import { isLrFinderActive } from "./active.js";
import { lrFind } from "./lr-find.js";
import { LrFindOptionError } from "./options.js";
import { NaNBeyond, optimizerOf, tempDir, weightsOf } from "./test-helpers.js";

beforeAll(async () => {
  await initBackend();
});

/** A quiet synth learner (seed 3 unless given), freed after each test. */
function learner(opts: SynthLearnerOptions = {}): Learner<RegModel, DataLoaders> {
  return quietLearner({ seed: 3, ...opts });
}

/** What the reference computes from the recorder: lrs/losses[floor(numIt/10) : -5], cut at the first NaN. */
function referenceWindow(learn: Learner, numIt: number) {
  const rec = learn.recorder as NonNullable<Learner["recorder"]>;
  let lrs = rec.lrs.slice(Math.floor(numIt / 10), -5);
  let losses = rec.losses.slice(Math.floor(numIt / 10), -5);
  const nan = losses.findIndex((l) => !Number.isFinite(l));
  if (nan >= 0) [lrs, losses] = [lrs.slice(0, nan), losses.slice(0, nan)];
  return { lrs, losses };
}

describe("spec §9 item 23: lrFind with the four suggestion functions", () => {
  test("returns 4 numbers in suggestFuncs order; weights equal by value", async () => {
    const learn = learner();
    const before = weightsOf(learn);
    const res = await lrFind(learn, { suggestFuncs: [minimum, steep, valley, slide] });
    expect(Object.keys(res)).toEqual(["minimum", "steep", "valley", "slide"]);
    for (const v of Object.values(res)) {
      expect(typeof v).toBe("number");
      expect(v > 0 && Number.isFinite(v)).toBe(true);
      expect(v.toExponential(2)).toMatch(/^\d\.\d\de[-+]\d+$/); // the notebook prints them with :.2e
    }
    expect(weightsOf(learn)).toEqual(before);
    // The same numbers as the functions applied to the reference's window of what the recorder holds.
    const w = referenceWindow(learn, 100);
    expect(res.minimum).toBe(minimum(w.lrs, w.losses, 100).lr);
    expect(res.steep).toBe(steep(w.lrs, w.losses, 100).lr);
    expect(res.valley).toBe(valley(w.lrs, w.losses, 100).lr);
    expect(res.slide).toBe(slide(w.lrs, w.losses, 100).lr);
    expect(res.names).toEqual(["minimum", "steep", "valley", "slide"]);
    expect(Object.keys(res.suggestions)).toEqual(res.names);
    for (const name of res.names) expect(res.suggestions[name]?.lr).toBe(res[name]);
  });
});

describe("the result", () => {
  test("`const { halfway, valley } = await lrFind(learn)` are numbers; details are there but not enumerable", async () => {
    const learn = learner();
    const res = await lrFind(learn);
    const { halfway: lr, valley: fastaiLr } = res; // typed as numbers, not number | undefined
    expect(typeof lr).toBe("number");
    expect(typeof fastaiLr).toBe("number");
    expect(JSON.parse(JSON.stringify(res))).toEqual({ halfway: lr, valley: fastaiLr });
    expect(Object.entries(res)).toEqual([
      ["halfway", lr],
      ["valley", fastaiLr],
    ]);
    expect(res.names).toEqual(["halfway", "valley"]);
    expect(res.suggestions.halfway.lr).toBe(halfway(res.analysis.lrs, res.analysis.losses, 100).lr);
    expect(res.suggestions.valley.lr).toBe(valley(res.analysis.lrs, res.analysis.losses, 100).lr);
    expect(res.suggestions.valley.point).toHaveLength(2);
    expect(res.curve.lrs).toEqual(learn.recorder?.lrs);
    expect(res.curve.losses).toEqual(learn.recorder?.losses);
    expect(res.curve.rawLosses).toEqual(learn.recorder?.batchLosses);
    expect(res.analysis.start).toBe(10);
    expect(res.analysis.end).toBeLessThanOrEqual(res.curve.lrs.length - 5);
    expect(res.diagnostics).toBe(res.analysis.diagnostics);
    expect(res.repeats).toBeUndefined();
    expect(Object.isFrozen(res)).toBe(true);
  });

  test("runs under noLogging: nothing printed, the logger is back afterwards", async () => {
    const learn = learner();
    const printed: unknown[] = [];
    const logger = (cells: readonly string[]) => {
      printed.push(cells);
    };
    learn.logger = logger;
    await lrFind(learn);
    expect(printed).toEqual([]);
    expect(learn.logger).toBe(logger);
  });

  test("a model that is already trained gets a flat-curve or diverged-early diagnostic", async () => {
    const learn = learner({ lr: 1e-2 });
    await learn.noLogging(() => learn.fit(30));
    const res = await lrFind(learn, { endLr: 1 });
    const codes = res.diagnostics.map((d) => d.code);
    expect(codes.some((c) => c === "flat-curve" || c === "diverged-early")).toBe(true);
  });
});

describe("nothing changes", () => {
  test("tensors before == after lrFind, on a fresh learner and after training", async () => {
    const learn = learner();
    await expectNoLeaks(() => lrFind(learn));
    await learn.noLogging(() => learn.fit(1));
    await expectNoLeaks(() => lrFind(learn, { suggestFuncs: [valley, slide] }));
  });

  test("weights, optimizer state and hypers (even the lr that fit would reset), learn.lr, loader epoch", async () => {
    const learn = learner();
    await learn.noLogging(() => learn.fit(2, { lr: 3e-2 }));
    const [w, o] = [weightsOf(learn), optimizerOf(learn)];
    expect(o.hypers[0]?.lr).toBe(3e-2);
    expect(learn.lr).toBe(1e-3);
    const [opt, epoch] = [learn.opt, learn.dls.train.epoch];
    await lrFind(learn);
    expect(weightsOf(learn)).toEqual(w);
    expect(optimizerOf(learn)).toEqual(o);
    expect(learn.opt).toBe(opt);
    expect(learn.lr).toBe(1e-3);
    expect(learn.dls.train.epoch).toBe(epoch);
  });

  test("no file is written: path/modelDir is not even created", async () => {
    const path = tempDir();
    const learn = learner({ path });
    await lrFind(learn);
    expect(existsSync(join(path, "models"))).toBe(false);
    expect(readdirSync(path)).toEqual([]);
  });

  test("SaveModel (best and every-epoch modes) stays quiet during lrFind and saves in a normal fit", async () => {
    const path = tempDir();
    const learn = learner({ path });
    let sawFinder = 0;
    const watcher: Callback = {
      name: "Watcher",
      order: 62,
      after_epoch: (l) => {
        if (isLrFinderActive(l)) sawFinder++;
      },
    };
    learn.addCbs([
      new SaveModel({ monitor: "train_loss" }),
      new SaveModel({ everyEpoch: true, fname: "e" }),
      watcher,
    ]);
    await lrFind(learn);
    expect(sawFinder).toBeGreaterThan(5); // epochs ran while the finder was active
    expect(existsSync(join(path, "models"))).toBe(false);
    await learn.noLogging(() => learn.fit(1));
    expect(readdirSync(join(path, "models")).sort()).toEqual([
      "e_0.bin",
      "e_0.json",
      "model.bin",
      "model.json",
    ]);
  });
});

describe("when the curve cannot give suggestions", () => {
  test("a NaN loss stops the run and the suggestions are computed before it", async () => {
    const base = learner();
    const model = new NaNBeyond(20);
    const learn = new LearnerClass(base.dls, model, {
      lossFunc: mseLoss,
      optFunc: (g, o) => SGD(g, { ...o, mom: 0.9 }),
    });
    try {
      const before = weightsOf(learn);
      const res = await lrFind(learn, { stopDiv: false, numIt: 200, suggestFuncs: [valley, minimum] });
      const raw = res.curve.rawLosses;
      const firstNaN = raw.findIndex(Number.isNaN);
      expect(firstNaN).toBe(raw.length - 1); // the run stopped at the first NaN
      expect(raw.length).toBeLessThan(200);
      expect(res.analysis.stop.reason).toBe("non-finite");
      expect(res.analysis.end).toBeLessThanOrEqual(firstNaN);
      expect(res.analysis.losses.every(Number.isFinite)).toBe(true);
      const w = referenceWindow(learn, 200);
      expect(res.valley).toBe(valley(w.lrs, w.losses, 200).lr);
      expect(res.minimum).toBeLessThan(res.curve.lrs[firstNaN] as number);
      expect(weightsOf(learn)).toEqual(before);
    } finally {
      for (const v of model.variables) v.dispose();
      learn.opt?.dispose();
    }
  });

  test("diverged at once: LrFindError advising a lower startLr; nothing leaked or changed", async () => {
    const learn = learner();
    const before = weightsOf(learn);
    const err = await expectNoLeaks(() => lrFind(learn, { startLr: 10, endLr: 1e4 })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LrFindError);
    expect((err as LrFindError).reason).toBe("diverged");
    expect((err as Error).message).toMatch(/Lower startLr \(the ramp started at lr=1\.00e\+1\)/);
    expect(weightsOf(learn)).toEqual(before);
  });

  test("numIt too small: LrFindError advising a larger numIt", async () => {
    const learn = learner();
    const err = await lrFind(learn, { numIt: 6, endLr: 1e-4 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LrFindError);
    expect((err as LrFindError).reason).toBe("too-short");
    expect((err as LrFindError).points).toBe(1);
    expect((err as Error).message).toMatch(/numIt=6 is too short.*Raise numIt \(to at least 7\)/);
    // numIt below 6 runs the clamped 6 iterations
    const err2 = await lrFind(learn, { numIt: 2, endLr: 1e-4 }).catch((e: unknown) => e);
    expect(learn.recorder?.lrs).toHaveLength(6);
    expect((err2 as LrFindError).reason).toBe("too-short");
  });

  test("bad options throw LrFindOptionError before anything runs", async () => {
    const learn = learner();
    const named = suggestFunc("curve", (lrs, losses) => ({
      lr: lrs[0] as number,
      point: [lrs[0] as number, losses[0] as number],
    }));
    const cases: [object, RegExp][] = [
      [{ repeats: 0 }, /lrFind: repeats must be an integer >= 1, got 0/],
      [{ suggestFuncs: [] }, /suggestFuncs must be a non-empty array/],
      [{ suggestFuncs: [named] }, /suggestFuncs\[0\] is named "curve", which the result uses/],
      [{ numIt: -5 }, /lrFind: numIt must be an integer >= 1, got -5/],
      [{ startLr: 0 }, /lrFind: startLr must be a finite number > 0, got 0/],
    ];
    for (const [opts, message] of cases) {
      const err = await lrFind(learn, opts as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LrFindOptionError);
      expect((err as Error).message).toMatch(message);
    }
    expect(learn.opt).toBeUndefined(); // no fit started
  });
});

describe("parameter groups", () => {
  test("per-group startLr/endLr: one ramp per group, the optimizer's hypers restored", async () => {
    const learn = learner({ splitter: (m) => [[m.a], [m.b]], lr: [1e-3, 2e-3] });
    await learn.noLogging(() => learn.fit(1));
    const o = optimizerOf(learn);
    expect(o.hypers.map((h) => h.lr)).toEqual([1e-3, 2e-3]);
    const res = await lrFind(learn, { startLr: [1e-8, 1e-7], endLr: [1, 10] });
    const ran = res.curve.lrs.length;
    expect(res.curve.lrs).toEqual(Array.from({ length: ran }, (_, i) => 1e-7 * (10 / 1e-7) ** (i / 100)));
    expect(optimizerOf(learn)).toEqual(o);
  });

  test("arrays that do not match the groups fail before fit builds an optimizer", async () => {
    const learn = learner();
    const err = await lrFind(learn, { startLr: [1e-7, 1e-6] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LrFindOptionError);
    expect((err as Error).message).toMatch(/lrFind: startLr\/endLr give 2 values.*optimizer has 1 group/);
    expect(learn.opt).toBeUndefined();
  });
});

describe("repeats", () => {
  test("k=3: three runs on other batch orders from the same weights; median and IQR per function", async () => {
    const learn = learner();
    await learn.noLogging(() => learn.fit(1));
    const [w, o] = [weightsOf(learn), optimizerOf(learn)];
    const epoch0 = learn.dls.train.epoch;
    const starts: { weights: number[][]; epoch: number }[] = [];
    const spy: Callback = {
      name: "Spy",
      before_fit: (l) => {
        starts.push({ weights: weightsOf(l), epoch: (l.dls as DataLoaders).train.epoch });
      },
    };
    learn.addCbs([spy]);
    const res = await expectNoLeaks(() => lrFind(learn, { repeats: 3, suggestFuncs: [valley, steep] }));
    expect(Object.keys(res)).toEqual(["valley", "steep"]);
    const nEpoch = 11; // floor(100 / 10) + 1
    expect(starts.map((s) => s.epoch)).toEqual([epoch0, epoch0 + nEpoch, epoch0 + 2 * nEpoch]);
    for (const s of starts) expect(s.weights).toEqual(w);
    const rep = res.repeats as NonNullable<typeof res.repeats>;
    expect(rep.k).toBe(3);
    expect(rep.runs).toHaveLength(3);
    // Other batch orders give other curves.
    expect(rep.runs[0]?.losses).not.toEqual(rep.runs[1]?.losses);
    expect(rep.runs[1]?.losses).not.toEqual(rep.runs[2]?.losses);
    for (const name of ["valley", "steep"] as const) {
      const stats = rep.stats[name] as NonNullable<(typeof rep.stats)[string]>;
      expect(stats.values).toEqual(rep.runs.map((r) => r.suggestions[name]?.lr));
      const sorted = [...stats.values].sort((a, b) => a - b);
      expect(res[name]).toBe(sorted[1]); // the median of three is the middle run
      expect(stats.q1).toBeGreaterThanOrEqual(sorted[0] as number);
      expect(stats.q1).toBeLessThanOrEqual(stats.median);
      expect(stats.q3).toBeGreaterThanOrEqual(stats.median);
      expect(stats.q3).toBeLessThanOrEqual(sorted[2] as number);
      expect(stats.iqr).toBeCloseTo(stats.q3 - stats.q1, 15);
      expect(res.suggestions[name]?.lr).toBe(res[name]);
    }
    // The recorder holds the last run, and so does `curve`.
    expect(res.curve.losses).toEqual(learn.recorder?.losses);
    expect(res.analysis).toBe(rep.runs[2]);
    expect(weightsOf(learn)).toEqual(w);
    expect(optimizerOf(learn)).toEqual(o);
    expect(learn.dls.train.epoch).toBe(epoch0);
  });
});
