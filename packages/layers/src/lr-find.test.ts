/**
 * lrFind: the reference's checks (spec §9 items 21–23, with weights compared by value), the
 * shape it shares with analyzeLrFind, restoration on every way out, datasets, repeats, leaks.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SchedExp } from "@sched/core";
import { plotLrFind } from "@sched/plot";
import {
  analyzeLrFind,
  LrFindError,
  lossAt,
  minimum,
  SuggestError,
  type SuggestedLRs,
  slide,
  steep,
  suggestFunc,
  valley,
} from "@sched/suggest";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LayersError, UnsupportedOptimizerError } from "./errors.js";
import { lrFind } from "./lr-find.js";
import { expectNoLeak, mlp, regressionData, state, useBackend } from "./test-helpers.js";

useBackend();

let x: tf.Tensor2D;
let y: tf.Tensor2D;
beforeAll(() => {
  ({ x, y } = regressionData(256, 4));
});
afterAll(() => tf.dispose([x, y]));

/** A compiled MLP whose optimizer has state (one epoch trained), as after some training. */
async function trained(optimizer: tf.Optimizer = tf.train.adam(1e-3)): Promise<tf.LayersModel> {
  const model = mlp(4);
  model.compile({ optimizer, loss: "meanSquaredError" });
  await model.fit(x, y, { batchSize: 32, epochs: 1, verbose: 0 });
  return model;
}

function hypers(model: tf.LayersModel): unknown {
  return model.optimizer.getConfig();
}

/** A Layer that passes its input through and throws from its `after + 1`-th call on. */
class ThrowAfter extends tf.layers.Layer {
  static className = "ThrowAfter";
  calls = 0;
  constructor(private readonly after: number) {
    super({});
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    this.calls++;
    if (this.calls > this.after) throw new Error("model exploded");
    return Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs;
  }
}

describe("the reference's LRFinder checks, by value", () => {
  it("lrs follow SchedExp(1e-7, 10)(i/100) exactly; ≤ 100 points; divergence stop; everything restored", async () => {
    const model = await trained();
    const before = await state(model);
    const config = hypers(model);
    const result = await expectNoLeak(() => lrFind(model, x, y, { seed: 1 }));
    const { lrs, losses } = result.curve;
    expect(lrs.length).toBeLessThanOrEqual(100);
    expect(losses.length).toBe(lrs.length);
    if (lrs.length < 100) {
      const last = losses.at(-1) as number;
      expect(!Number.isFinite(last) || last > 4 * Math.min(...losses)).toBe(true);
    }
    const ramp = SchedExp(1e-7, 10);
    expect(lrs).toEqual(lrs.map((_, i) => ramp(i / 100)));
    expect(await state(model)).toEqual(before);
    expect(hypers(model)).toEqual(config);
    model.dispose();
  });

  it("suggestFuncs [minimum, steep, valley, slide]: four floats in that order", async () => {
    const model = await trained();
    const result = await lrFind(model, x, y, {
      seed: 2,
      suggestFuncs: [minimum, steep, valley, slide],
      stopDiv: false,
      endLr: 1,
    });
    expect(Object.keys(result)).toEqual(["minimum", "steep", "valley", "slide"]);
    expect(Object.keys(result.suggestions)).toEqual(["minimum", "steep", "valley", "slide"]);
    expect(result.names).toEqual(["minimum", "steep", "valley", "slide"]);
    for (const [name, lr] of Object.entries(result)) {
      expect(Number.isFinite(lr) && lr > 0).toBe(true);
      const s = result.suggestions[name];
      expect(s?.lr).toBe(lr);
      expect(s?.point.every(Number.isFinite)).toBe(true);
    }
    model.dispose();
  });
});

describe("what it returns", () => {
  it("one LR per function, and as details exactly analyzeLrFind of its recording (curve)", async () => {
    const model = await trained();
    const result = await lrFind(model, x, y, { seed: 3, suggestFuncs: [valley, steep] });
    const { curve } = result;
    const analysis = analyzeLrFind({ ...curve, numIt: 100 }, { suggestFuncs: [valley, steep] });
    expect(result.analysis).toEqual(analysis);
    expect({ ...result }).toEqual({
      valley: analysis.suggestions.valley?.lr,
      steep: analysis.suggestions.steep?.lr,
    });
    expect(JSON.parse(JSON.stringify(result))).toEqual({ ...result }); // details stay out of JSON
    expect(result.names).toEqual(["valley", "steep"]);
    expect(result.suggestions).toEqual(analysis.suggestions);
    expect(result.diagnostics).toEqual(analysis.diagnostics);
    expect(result.repeats).toBeUndefined();
    expect(Object.keys(curve)).toEqual(["lrs", "losses", "rawLosses"]);
    expect(curve.rawLosses.length).toBe(curve.losses.length);
    expect(Object.isFrozen(result)).toBe(true);
    model.dispose();
  });

  it("the default suggestFuncs: the result is typed { halfway: number, valley: number }", async () => {
    const model = await trained();
    const { halfway: lr, valley: fastaiLr, ...rest } = await lrFind(model, x, y, { seed: 3, numIt: 60 });
    const typed: number[] = [lr, fastaiLr]; // a type error if either were number | undefined
    for (const v of typed) expect(Number.isFinite(v) && v > 0).toBe(true);
    expect(rest).toEqual({});
    model.dispose();
  });

  it("losses are the debiased moving average (beta 0.98) of the raw batch losses", async () => {
    const model = await trained();
    const { curve } = await lrFind(model, x, y, { seed: 4, numIt: 40, endLr: 1e-2 });
    let avg = 0;
    const expected = curve.rawLosses.map((l, i) => {
      avg = 0.98 * avg + 0.02 * l;
      return avg / (1 - 0.98 ** (i + 1));
    });
    curve.losses.forEach((l, i) => {
      expect(l).toBeCloseTo(expected[i] as number, 12);
    });
    model.dispose();
  });

  it("stepMode linear: lr_i = start + (end − start)·i/numIt; stopDiv false runs every iteration", async () => {
    const model = await trained();
    const result = await lrFind(model, x, y, {
      seed: 5,
      stepMode: "linear",
      startLr: 1e-4,
      endLr: 1e-2,
      numIt: 30,
      stopDiv: false,
    });
    expect(result.curve.lrs).toHaveLength(30);
    result.curve.lrs.forEach((lr, i) => {
      expect(lr).toBeCloseTo(1e-4 + (1e-2 - 1e-4) * (i / 30), 15);
    });
    expect(result.analysis.stop.reason).toBe("completed");
    model.dispose();
  });

  it("stops at the first non-finite loss", async () => {
    const model = await trained(tf.train.sgd(0.01));
    const result = await lrFind(model, x, y, {
      seed: 6,
      startLr: 1e-3,
      endLr: 1e12,
      numIt: 100,
      stopDiv: false,
    });
    const raw = result.curve.rawLosses;
    expect(raw.length).toBeLessThan(100);
    expect(Number.isFinite(raw.at(-1) as number)).toBe(false);
    expect(raw.slice(0, -1).every(Number.isFinite)).toBe(true);
    expect(result.analysis.stop.reason).toBe("non-finite");
    model.dispose();
  });

  it("writes no file (run from an empty folder); feeds plotLrFind: a PNG with the suggestion marked", async () => {
    const model = await trained();
    const dir = mkdtempSync(join(tmpdir(), "layers-lrfind-"));
    const cwd = process.cwd();
    process.chdir(dir);
    let result: SuggestedLRs<"valley">;
    try {
      result = await lrFind(model, x, y, { seed: 7 });
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      process.chdir(cwd);
    }
    try {
      const fig = plotLrFind(result.curve, { suggestions: result.suggestions });
      await fig.save(join(dir, "lr_find.png"));
      const png = readFileSync(join(dir, "lr_find.png"));
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(await fig.toSVG()).toContain(`valley ${result.valley.toExponential(2).replace("e+", "e")}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    model.dispose();
  });
});

describe("datasets", () => {
  it("iterates the dataset again as often as needed; no leaks; restored", async () => {
    const model = await trained();
    const before = await state(model);
    const ds = tf.data.zip({ xs: tf.data.array(x.arraySync()), ys: tf.data.array(y.arraySync()) }).batch(64);
    const result = await expectNoLeak(() => lrFind(model, ds, { numIt: 30, endLr: 1e-2, stopDiv: false }));
    expect(result.curve.lrs).toHaveLength(30); // 4 batches per pass: 8 passes
    expect(await state(model)).toEqual(before);
    // The tensor call's shape, with an unused y, works too.
    const again = await lrFind(model, ds, undefined, { numIt: 12, endLr: 1e-2, stopDiv: false });
    expect(again.curve.lrs).toHaveLength(12);
    model.dispose();
  });

  it("rejects elements that are not { xs, ys }, and a dataset with no batch", async () => {
    const model = await trained();
    const before = await state(model);
    const pairs = tf.data.generator(function* () {
      yield [tf.ones([2, 4]), tf.ones([2, 1])];
    });
    await expectNoLeak(() =>
      expect(lrFind(model, pairs as never, { numIt: 10 })).rejects.toThrow(/must be \{ xs, ys \}/),
    );
    const empty = tf.data.array<tf.TensorContainer>([]);
    await expectNoLeak(() => expect(lrFind(model, empty, { numIt: 10 })).rejects.toThrow(/yielded no batch/));
    expect(await state(model)).toEqual(before);
    model.dispose();
  });
});

describe("restored on every way out", () => {
  it("a callback that throws halfway: the error propagates, weights/state/hypers bit-exact, no leak", async () => {
    const model = await trained(tf.train.momentum(1e-3, 0.9));
    const before = await state(model);
    const config = hypers(model);
    const boom = {
      onBatchEnd: async (batch: number) => {
        if (batch === 40) throw new Error("callback exploded");
      },
    };
    await expectNoLeak(() =>
      expect(lrFind(model, x, y, { callbacks: [boom] })).rejects.toThrow("callback exploded"),
    );
    expect(await state(model)).toEqual(before);
    expect(hypers(model)).toEqual(config);
    await model.fit(x, y, { epochs: 1, verbose: 0 }); // not left "training"
    model.dispose();
  });

  it("a model that throws mid-run", async () => {
    const thrower = new ThrowAfter(1 + 25);
    const model = tf.sequential({
      layers: [tf.layers.dense({ units: 4, inputShape: [4] }), thrower, tf.layers.dense({ units: 1 })],
    });
    model.compile({ optimizer: tf.train.rmsprop(1e-3, 0.9, 0.5), loss: "meanSquaredError" });
    await model.fit(x, y, { batchSize: 256, epochs: 1, verbose: 0 });
    const before = await state(model);
    const config = hypers(model);
    await expectNoLeak(() => expect(lrFind(model, x, y, { numIt: 50 })).rejects.toThrow("model exploded"));
    expect(thrower.calls).toBeGreaterThan(25);
    expect(await state(model)).toEqual(before);
    expect(hypers(model)).toEqual(config);
    model.dispose();
  });

  it("a callback that stops the run: suggestions from what ran, stop reason 'stopped', restored", async () => {
    const model = await trained();
    const before = await state(model);
    const stopper = new tf.CustomCallback({
      onBatchEnd: async (batch) => {
        if (batch === 59) model.stopTraining = true;
      },
    });
    const result = await expectNoLeak(() => lrFind(model, x, y, { callbacks: [stopper], stopDiv: false }));
    expect(result.curve.lrs).toHaveLength(60);
    expect(result.analysis.stop.reason).toBe("stopped");
    expect(await state(model)).toEqual(before);
    expect(model.stopTraining).toBe(false);
    model.dispose();
  });

  it("too few points: LrFindError naming the fix, after restoring", async () => {
    const model = await trained();
    const before = await state(model);
    const err = await lrFind(model, x, y, { numIt: 6, endLr: 1e-3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LrFindError);
    expect((err as LrFindError).reason).toBe("too-short");
    expect((err as Error).message).toMatch(/Raise numIt/);
    expect(await state(model)).toEqual(before);
    model.dispose();
  });

  it("a fresh optimizer stays fresh: no state, iteration 0", async () => {
    const model = mlp(4);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: "meanSquaredError" });
    await expectNoLeak(() => lrFind(model, x, y, { numIt: 30, seed: 8 }));
    const weights = await model.optimizer.getWeights();
    expect(weights).toHaveLength(1); // only the iterations scalar
    expect(model.optimizer.iterations).toBe(0);
    tf.dispose(weights.map((w) => w.tensor));
    model.dispose();
  });
});

describe("repeats", () => {
  it("k runs with different batch orders; per function the median, marked on the last run's curve; same seed, same answer", async () => {
    const model = await trained();
    const before = await state(model);
    const options = { repeats: 3, seed: 10, batchSize: 16, suggestFuncs: [valley, minimum] };
    const a = await expectNoLeak(() => lrFind(model, x, y, options));
    expect(await state(model)).toEqual(before);
    const runs = a.repeats?.runs ?? [];
    expect(a.repeats?.k).toBe(3);
    expect(runs).toHaveLength(3);
    expect(runs[0]?.losses).not.toEqual(runs[1]?.losses);
    // The curve and the analysis are the last run's.
    expect(a.analysis).toBe(runs[2]);
    expect(analyzeLrFind({ ...a.curve, numIt: 100 }, { suggestFuncs: [valley, minimum] })).toEqual(runs[2]);
    for (const name of ["valley", "minimum"]) {
      const values = runs.map((r) => r.suggestions[name]?.lr as number);
      const median = [...values].sort((p, q) => p - q)[1] as number;
      expect(a.repeats?.stats[name]?.values).toEqual(values);
      expect(a.repeats?.stats[name]?.median).toBe(median);
      expect(a[name]).toBe(median);
      expect(a.suggestions[name]?.lr).toBe(median);
      expect(a.suggestions[name]?.point[0]).toBe(median);
      expect(a.suggestions[name]?.point[1]).toBe(lossAt(a.curve.lrs, a.curve.losses, median));
    }
    expect(Object.keys(a.repeats?.stats ?? {})).toEqual(["valley", "minimum"]);
    const codes = runs.flatMap((r) => r.diagnostics.map((d) => d.code));
    expect(a.diagnostics.map((d) => d.code)).toEqual([...new Set(codes)]);
    const b = await lrFind(model, x, y, options);
    b.curve.rawLosses.forEach((l, j) => {
      expect(l).toBeCloseTo(a.curve.rawLosses[j] as number, 5);
    });
    b.repeats?.runs.forEach((run, i) => {
      run.losses.forEach((l, j) => {
        expect(l).toBeCloseTo(runs[i]?.losses[j] as number, 5);
      });
    });
    model.dispose();
  });

  it("an LrFindError of one run says which run", async () => {
    const model = await trained();
    const err = await lrFind(model, x, y, { repeats: 2, numIt: 6, endLr: 1e-3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LrFindError);
    expect((err as Error).message).toMatch(/^run 1 of 2: .*Raise numIt/);
    model.dispose();
  });
});

describe("bad input: typed errors before training", () => {
  const bad: Array<[string, Record<string, unknown>, RegExp | (new (...a: never[]) => Error)]> = [
    ["startLr 0", { startLr: 0 }, /startLr must be a finite number > 0; got 0/],
    [
      "endLr below startLr",
      { startLr: 1e-2, endLr: 1e-3 },
      /endLr \(0\.001\) must be above startLr \(0\.01\)/,
    ],
    ["numIt 0", { numIt: 0 }, /numIt must be a positive integer; got 0/],
    ["repeats 1.5", { repeats: 1.5 }, /repeats must be a positive integer; got 1\.5/],
    ["stepMode log", { stepMode: "log" }, /stepMode must be "exp" or "linear"; got log/],
    ["batchSize -1", { batchSize: -1 }, /batchSize must be a positive integer; got -1/],
    ["seed -3", { seed: -3 }, /seed must be an integer >= 0; got -3/],
    ["duplicate names", { suggestFuncs: [valley, valley] }, SuggestError],
    ["a callback that is not one", { callbacks: [42] }, /callbacks\[0\] must be a tfjs callback/],
    [
      "a function named like a detail of the result",
      {
        suggestFuncs: [
          valley,
          suggestFunc("curve", (lrs, losses) => ({
            lr: lrs[0] as number,
            point: [lrs[0] as number, losses[0] as number],
          })),
        ],
      },
      /suggestFuncs\[1\] is named "curve", which the result uses for its details \(names, suggestions/,
    ],
  ];
  it.each(bad)("%s", async (_name, options, expected) => {
    const model = await trained();
    const before = await state(model);
    await expectNoLeak(async () => {
      const err = await lrFind(model, x, y, options as never).catch((e: unknown) => e);
      if (expected instanceof RegExp) {
        expect(err).toBeInstanceOf(LayersError);
        expect((err as Error).message).toMatch(expected);
      } else expect(err).toBeInstanceOf(expected);
    });
    expect(await state(model)).toEqual(before);
    model.dispose();
  });

  it("model not compiled, x/y mismatched, batchSize with a dataset", async () => {
    const model = mlp(4);
    await expect(lrFind(model, x, y)).rejects.toThrow(UnsupportedOptimizerError);
    model.compile({ optimizer: "sgd", loss: "meanSquaredError" });
    const y3 = tf.ones([3, 1]);
    await expect(lrFind(model, x, y3)).rejects.toThrow(
      /every tensor of x and y needs 256 rows; y\[0\] has shape \[3,1\]/,
    );
    const ds = tf.data.array<tf.TensorContainer>([]);
    await expect(lrFind(model, ds, { batchSize: 8 })).rejects.toThrow(/batchSize applies to tensors/);
    await expect(lrFind(model, x, undefined as never)).rejects.toThrow(/y must be a tensor/);
    tf.dispose(y3);
    model.dispose();
  });
});
