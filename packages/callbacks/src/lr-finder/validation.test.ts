import {
  type BatchLoader,
  type Callback,
  CallbackError,
  CancelFitException,
  DataLoaders,
  initBackend,
  Learner,
  type LossFunc,
  mseLoss,
  Rng,
  SGD,
} from "@sched/learner";
import { expectNoLeaks, RegModel, testRelClose } from "@sched/learner/testing";
import { halfway, lossAt, minimum, valley } from "@sched/suggest";
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { lrFind } from "./lr-find.js";
import { LRFinder } from "./lr-finder.js";
import { LrFindOptionError } from "./options.js";
import { optimizerOf, weightsOf } from "./test-helpers.js";
import { DebiasedEma } from "./validation.js";

beforeAll(async () => {
  await initBackend();
});

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanups.splice(0)) f();
});

const BS = 16;
/** 40 validation items in batches of 16: 16, 16 and 8, so the size weighting matters. */
const N_VALID = 40;

interface RegData {
  learn: Learner<RegModel, DataLoaders>;
  /** The validation items as float32 values, in loader order (the valid loader does not shuffle). */
  xValid: Float32Array;
  yValid: Float32Array;
}

/**
 * `y = 2x + 3 + 0.1·noise` on 160 training items (shuffled batches of 16), a RegModel, MSE, SGD with
 * momentum; the validation targets come from `validTarget` (default the training rule).
 */
function regLearner(
  opts: { seed?: number; validTarget?: (x: number) => number; lossFunc?: LossFunc } = {},
): RegData {
  const { seed = 5, validTarget = (x: number) => 2 * x + 3 } = opts;
  const rng = new Rng(seed);
  const xTrain = rng.normalArray(160);
  const noise = rng.normalArray(160);
  const yTrain = xTrain.map((x, i) => 2 * x + 3 + 0.1 * (noise[i] as number));
  const xValid = rng.normalArray(N_VALID);
  const yValid = Float32Array.from(xValid, validTarget);
  const data = [
    tf.tensor2d(xTrain, [160, 1]),
    tf.tensor2d(yTrain, [160, 1]),
    tf.tensor2d(xValid, [N_VALID, 1]),
    tf.tensor2d(yValid, [N_VALID, 1]),
  ] as const;
  // The loaders keep their own handles: the tensors given are ours to free.
  const dls = DataLoaders.fromTensors([data[0], data[1]], [data[2], data[3]], { bs: BS, seed });
  tf.dispose([...data]);
  const learn = new Learner(dls, new RegModel(rng), {
    lossFunc: opts.lossFunc ?? mseLoss,
    optFunc: (groups, o) => SGD(groups, { mom: 0.9, ...o }),
  });
  cleanups.push(() => {
    learn.dispose();
    dls.dispose();
  });
  return { learn, xValid, yValid };
}

/**
 * The validation MSE of `x·a + b` on each batch of 16 (the last one has 8 items), computed on the
 * host in float64 from the float32 weights and data: independent of tfjs. `[mean, size]` per batch.
 */
function hostBatchLosses(d: RegData, [a, b]: number[][]): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < N_VALID; start += BS) {
    const end = Math.min(start + BS, N_VALID);
    let sq = 0;
    for (let i = start; i < end; i++) {
      const err = (a?.[0] as number) * (d.xValid[i] as number) + (b?.[0] as number) - (d.yValid[i] as number);
      sq += err * err;
    }
    out.push([sq / (end - start), end - start]);
  }
  return out;
}

/** The mean of the first `batches` batch losses, weighted by batch size. */
function hostValidLoss(d: RegData, weights: number[][], batches: number): number {
  const used = hostBatchLosses(d, weights).slice(0, batches);
  return used.reduce((s, [m, n]) => s + m * n, 0) / used.reduce((s, [, n]) => s + n, 0);
}

/** Records, by value, the weights after each training step (order 55: after the step and the Recorder, before the finder). */
function weightsAfterStep(): Callback & { weights: number[][][] } {
  const cb = {
    name: "WeightsAfterStep",
    order: 55,
    weights: [] as number[][][],
    after_batch: (l: Learner) => {
      if (l.training && l.loss) cb.weights.push(weightsOf(l));
    },
  };
  return cb;
}

/** Records, by value, each training batch's inputs and the weights it starts from. */
function batchStarts(): Callback & { xs: number[][]; weights: number[][][] } {
  const cb = {
    name: "BatchStarts",
    order: 70,
    xs: [] as number[][],
    weights: [] as number[][][],
    before_batch: (l: Learner) => {
      if (!l.training) return;
      cb.xs.push(Array.from((l.xb as tf.Tensor).dataSync()));
      cb.weights.push(weightsOf(l));
    },
  };
  return cb;
}

/** The Recorder's smoothing, written out: val = β·val + (1−β)·x, debiased by 1 − β^n. */
function ema(xs: readonly number[], beta = 0.98): number[] {
  let val = 0;
  return xs.map((x, i) => {
    val = beta * val + (1 - beta) * x;
    return val / (1 - beta ** (i + 1));
  });
}

/** NaN-aware relative closeness, for curves whose end may be NaN after a divergence. */
function expectRelClose(a: readonly number[], b: readonly number[], rel: number): void {
  expect(a.length).toBe(b.length);
  const finite = b.map((y, i) => Number.isFinite(y) && Number.isFinite(a[i] as number));
  a.forEach((x, i) => {
    if (!finite[i]) expect(Number.isNaN(x) ? "NaN" : x).toEqual(Number.isNaN(b[i]) ? "NaN" : b[i]);
  });
  testRelClose(
    a.filter((_, i) => finite[i]),
    b.filter((_, i) => finite[i]),
    rel,
  );
}

async function runFinder(learn: Learner, finder: LRFinder, ...cbs: Callback[]): Promise<void> {
  await finder.loadValidBatches(learn);
  await learn.noLogging(() => learn.fit(5, { cbs: [finder, ...cbs] }));
}

describe("the recorded validation loss", () => {
  test("iteration i: the loss of the weights after i+1 steps (host float64 reference, rel 1e-5); smoothed = the Recorder's EMA", async () => {
    const d = regLearner();
    const finder = new LRFinder({ numIt: 30, validBatches: Number.POSITIVE_INFINITY });
    const seen = weightsAfterStep();
    await runFinder(d.learn, finder, seen);
    const rec = d.learn.recorder as NonNullable<Learner["recorder"]>;
    const n = rec.lrs.length;
    expect(n).toBeGreaterThan(10);
    expect(finder.rawValidLosses).toHaveLength(n);
    expect(finder.validLosses).toHaveLength(n);
    expect(seen.weights).toHaveLength(n);
    // float32 on the device vs float64 on the host: a few ulps of float32.
    const expected = seen.weights.map((w) => hostValidLoss(d, w, Number.POSITIVE_INFINITY));
    expectRelClose(finder.rawValidLosses, expected, 1e-5);
    // The formula above is the Recorder's (on its own training stream) ...
    expectRelClose(ema(rec.batchLosses), rec.losses, 1e-12);
    // ... and the finder applies it to the raw validation losses, bit for bit as DebiasedEma.
    expectRelClose(finder.validLosses, ema(finder.rawValidLosses), 1e-12);
    const mine = new DebiasedEma(0.98);
    expect(rec.batchLosses.map((x) => mine.push(x))).toEqual(rec.losses);
  });

  test("validBatches 1 and 2 read the first batches only; Infinity weights the 8-item last batch by its size", async () => {
    const runs = new Map<number, { raw: number[]; weights: number[][][]; d: RegData }>();
    for (const validBatches of [1, 2, Number.POSITIVE_INFINITY]) {
      const d = regLearner();
      const finder = new LRFinder({ numIt: 20, validBatches });
      const seen = weightsAfterStep();
      await runFinder(d.learn, finder, seen);
      runs.set(validBatches, { raw: finder.rawValidLosses, weights: seen.weights, d });
    }
    for (const [validBatches, run] of runs) {
      const expected = run.weights.map((w) => hostValidLoss(run.d, w, validBatches));
      expectRelClose(run.raw, expected, 1e-5);
    }
    const [one, two, all] = [1, 2, Number.POSITIVE_INFINITY].map((k) => runs.get(k)?.raw as number[]);
    // Other validation data: other values at every iteration.
    expect(one?.length).toBe(all?.length);
    one?.forEach((v, i) => {
      expect(v).not.toBe(two?.[i]);
      expect(v).not.toBe(all?.[i]);
    });
    // Weighted by size (16, 16, 8), which is not the plain mean of the three batch means here.
    const infinity = runs.get(Number.POSITIVE_INFINITY) as { weights: number[][][]; d: RegData };
    const perBatch = hostBatchLosses(infinity.d, infinity.weights[0] as number[][]);
    const plainMean = perBatch.reduce((s, [m]) => s + m, 0) / perBatch.length;
    expect(Math.abs((all?.[0] as number) - plainMean)).toBeGreaterThan(1e-3 * plainMean);
  });

  test("a LayersModel with batch-norm and dropout is evaluated in inference mode: learn.validate() of the same weights (rel 1e-6), running stats untouched", async () => {
    const rng = new Rng(11);
    const x = rng.normalArray(96 * 4);
    const y = Float32Array.from(
      { length: 96 },
      (_, i) => (x[4 * i] as number) - 2 * (x[4 * i + 1] as number) + 1,
    );
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 8, inputShape: [4], kernelInitializer: "glorotUniform" }),
        tf.layers.batchNormalization(),
        tf.layers.dropout({ rate: 0.5 }),
        tf.layers.dense({ units: 1 }),
      ],
    });
    const [xt, yt] = [tf.tensor2d(x, [96, 4]), tf.tensor2d(y, [96, 1])];
    const parts = [xt.slice(0, 64), yt.slice(0, 64), xt.slice(64), yt.slice(64)] as const;
    const dls = DataLoaders.fromTensors([parts[0], parts[1]], [parts[2], parts[3]], {
      bs: 16,
      validBs: 12,
      seed: 1,
    });
    tf.dispose([xt, yt, ...parts]);
    const learn = new Learner(dls, model, {
      lossFunc: mseLoss,
      optFunc: (g, o) => SGD(g, { mom: 0.9, ...o }),
    });
    cleanups.push(() => {
      learn.dispose();
      dls.dispose();
    });
    expect(learn.module.buffers?.length).toBe(2); // moving mean and variance
    const finder = new LRFinder({
      numIt: 12,
      startLr: 1e-4,
      endLr: 1,
      validBatches: Number.POSITIVE_INFINITY,
    });
    const after = weightsAfterStep();
    const starts = batchStarts();
    await runFinder(learn, finder, after, starts);
    const n = finder.rawValidLosses.length;
    expect(n).toBeGreaterThan(5);
    const nBuffers = 2;
    const buffers = (w: number[][]) => w.slice(-nBuffers);
    for (let i = 0; i + 1 < Math.min(n, starts.weights.length); i++) {
      // Training updates the running statistics ...
      expect(buffers(after.weights[i + 1] as number[][])).not.toEqual(
        buffers(after.weights[i] as number[][]),
      );
      // ... the validation between step i and batch i+1 does not (nor anything else).
      expect(starts.weights[i + 1]).toEqual(after.weights[i]);
    }
    // The learner's own validation (training: false) of each recorded state gives the same number.
    const vars = [...learn.module.variables, ...(learn.module.buffers ?? [])];
    const expected: number[] = [];
    for (const w of after.weights) {
      tf.tidy(() => {
        vars.forEach((v, k) => {
          v.assign(tf.tensor(w[k] as number[], v.shape));
        });
      });
      expected.push((await learn.validate())[0] as number);
    }
    expectRelClose(finder.rawValidLosses, expected, 1e-6);
  });
});

describe("lrFind with validBatches", () => {
  test("the training curve, the weights and the train loader's batch order are bit for bit those of a run without it", async () => {
    const record = async (opts: object) => {
      const d = regLearner();
      const starts = batchStarts();
      d.learn.addCbs([starts]);
      const [trainEpoch, validEpoch] = [d.learn.dls.train.epoch, d.learn.dls.valid.epoch];
      const res = await lrFind(d.learn, { suggestFuncs: [valley, minimum], ...opts });
      expect([d.learn.dls.train.epoch, d.learn.dls.valid.epoch]).toEqual([trainEpoch, validEpoch]);
      return { res, starts, final: weightsOf(d.learn), opt: optimizerOf(d.learn) };
    };
    const plain = await record({});
    const validated = await record({ validBatches: Number.POSITIVE_INFINITY });
    expect(plain.res.curve.validLosses).toBeUndefined();
    expect(validated.res.curve.validLosses).toHaveLength(validated.res.curve.lrs.length);
    expect(validated.res.curve.rawValidLosses).toHaveLength(validated.res.curve.lrs.length);
    expect(validated.res.curve.lrs).toEqual(plain.res.curve.lrs);
    expect(validated.res.curve.losses).toEqual(plain.res.curve.losses);
    expect(validated.res.curve.rawLosses).toEqual(plain.res.curve.rawLosses);
    expect(validated.starts.xs).toEqual(plain.starts.xs);
    expect(validated.starts.weights).toEqual(plain.starts.weights);
    expect(validated.final).toEqual(plain.final);
    expect(validated.opt).toEqual(plain.opt);
    // Suggestions still read the training curve by default.
    expect({ ...validated.res }).toEqual({ ...plain.res });
  });

  test('suggestOn "valid": the numbers of the suggestion functions on the validation window [floor(numIt/10) : -5]', async () => {
    // Validation targets that the training does not lead to (y = 3): the two curves disagree.
    const opts = { validTarget: () => 3 };
    const d = regLearner(opts);
    const funcs = [minimum, halfway, valley];
    const res = await expectNoLeaks(() =>
      lrFind(d.learn, { validBatches: 2, suggestOn: "valid", suggestFuncs: funcs, numIt: 60 }),
    );
    const { lrs, validLosses, losses } = res.curve;
    expect(validLosses).toHaveLength(lrs.length);
    let end = lrs.length - 5;
    const bad = (validLosses as number[]).slice(6, end).findIndex((l) => !Number.isFinite(l));
    if (bad >= 0) end = 6 + bad;
    const [wLrs, wLosses] = [lrs.slice(6, end), (validLosses as number[]).slice(6, end)];
    for (const f of funcs) {
      const s = f(wLrs, wLosses, 60);
      expect(res[f.name]).toBe(s.lr);
      expect(res.suggestions[f.name]).toEqual(s);
    }
    expect(res.analysis.losses).toEqual(wLosses);
    // The same run read on its training curve suggests elsewhere.
    const onTrain = funcs.map((f) => f(lrs.slice(6, lrs.length - 5), losses.slice(6, lrs.length - 5), 60).lr);
    expect(funcs.map((f) => res[f.name])).not.toEqual(onTrain);
  });

  test("repeats: each run validates on the same batches; the median rule over the runs' validation suggestions", async () => {
    const d = regLearner();
    const validEpoch = d.learn.dls.valid.epoch;
    const res = await expectNoLeaks(() =>
      lrFind(d.learn, {
        validBatches: 1,
        suggestOn: "valid",
        repeats: 3,
        suggestFuncs: [minimum],
        numIt: 40,
      }),
    );
    const rep = res.repeats as NonNullable<typeof res.repeats>;
    expect(rep.runs).toHaveLength(3);
    // The last run's analysis is the window of the validation curve the result carries.
    const last = rep.runs[2] as (typeof rep.runs)[number];
    expect(last.losses).toEqual(res.curve.validLosses?.slice(last.start, last.end));
    // Other batch orders, other validation curves (same batches, other weights).
    expect(rep.runs[0]?.losses).not.toEqual(rep.runs[1]?.losses);
    const values = rep.runs.map((r) => r.suggestions.minimum?.lr as number);
    expect(rep.stats.minimum?.values).toEqual(values);
    expect(res.minimum).toBe([...values].sort((a, b) => a - b)[1]);
    // Marked on the validation curve.
    expect(res.suggestions.minimum?.point[1]).toBe(
      lossAt(res.curve.lrs, res.curve.validLosses as number[], res.minimum as number),
    );
    expect(d.learn.dls.valid.epoch).toBe(validEpoch);
  });
});

describe("bad input", () => {
  test("validBatches and suggestOn: LrFindOptionError naming the option and the value", async () => {
    const cases: [object, RegExp][] = [
      [
        { validBatches: -1 },
        /validBatches must be 0 \(off\), an integer >= 1 or Infinity \(every batch\), got -1/,
      ],
      [{ validBatches: 1.5 }, /validBatches must be .*, got 1\.5/],
      [{ validBatches: Number.NaN }, /validBatches must be .*, got NaN/],
      [{ validBatches: Number.NEGATIVE_INFINITY }, /validBatches must be .*, got -Infinity/],
      [{ validBatches: "2" }, /validBatches must be .*, got "2"/],
      [{ suggestOn: "test" }, /suggestOn must be "train" or "valid", got "test"/],
      [{ suggestOn: "valid" }, /suggestOn "valid" needs validBatches > 0 .*got validBatches=0/],
      [{ suggestOn: "valid", validBatches: 0 }, /suggestOn "valid" needs validBatches > 0/],
    ];
    const d = regLearner();
    for (const [opts, message] of cases) {
      expect(() => new LRFinder(opts as never)).toThrow(LrFindOptionError);
      expect(() => new LRFinder(opts as never)).toThrow(new RegExp(`^LRFinder: ${message.source}`));
      const err = await lrFind(d.learn, opts as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LrFindOptionError);
      expect((err as Error).message).toMatch(new RegExp(`^lrFind: ${message.source}`));
    }
    expect(d.learn.opt).toBeUndefined(); // no fit started
  });

  test("no valid loader, an empty one, or one that yields nothing: LrFindOptionError, nothing changed or leaked", async () => {
    const d = regLearner();
    const real = d.learn.dls;
    const before = weightsOf(d.learn);
    const empty: BatchLoader = { length: 0, async *[Symbol.asyncIterator]() {} };
    const silent: BatchLoader = { length: 3, async *[Symbol.asyncIterator]() {} };
    const cases: [unknown, RegExp][] = [
      [undefined, /validBatches=2 needs a validation loader \(learn\.dls\.valid\), but the learner has none/],
      [empty, /validBatches=2 needs validation batches, but learn\.dls\.valid is empty \(length 0\)/],
      [silent, /learn\.dls\.valid \(length 3\) yielded none/],
    ];
    try {
      for (const [valid, message] of cases) {
        d.learn.dls = { train: real.train, valid } as unknown as DataLoaders;
        const err = await expectNoLeaks(() => lrFind(d.learn, { validBatches: 2 })).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(LrFindOptionError);
        expect((err as Error).message).toMatch(message);
        const finder = new LRFinder({ validBatches: 2 });
        await expect(finder.loadValidBatches(d.learn)).rejects.toThrow(message);
      }
    } finally {
      d.learn.dls = real;
    }
    expect(weightsOf(d.learn)).toEqual(before);
    expect(real.train.epoch).toBe(0);
  });

  test("an LRFinder whose batches were not loaded fails in before_fit, saying what to do", async () => {
    const d = regLearner();
    const before = weightsOf(d.learn);
    const finder = new LRFinder({ validBatches: 1 });
    const err = await expectNoLeaks(() => d.learn.noLogging(() => d.learn.fit(1, { cbs: [finder] }))).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CallbackError);
    expect((err as CallbackError).cause).toBeInstanceOf(LrFindOptionError);
    expect((err as Error).message).toMatch(/await finder\.loadValidBatches\(learn\) first/);
    expect(weightsOf(d.learn)).toEqual(before);
  });
});

describe("restore and memory with validation on", () => {
  test("a loss function that throws on a validation batch: the error surfaces; model, optimizer, loaders restored; no tensor leaked", async () => {
    let validCalls = 0;
    // Only validation sees the 8-item batch; the third time the finder evaluates it (iteration 2), it throws.
    const lossFunc: LossFunc = (pred, targ) => {
      if (pred.shape[0] === 8 && ++validCalls === 3) throw new Error("valid boom");
      return mseLoss(pred, targ);
    };
    const d = regLearner({ lossFunc });
    await d.learn.noLogging(() => d.learn.fit(1));
    validCalls = 0;
    const [w, o] = [weightsOf(d.learn), optimizerOf(d.learn)];
    const [trainEpoch, validEpoch] = [d.learn.dls.train.epoch, d.learn.dls.valid.epoch];
    const opt = d.learn.opt;
    const err = await expectNoLeaks(() => lrFind(d.learn, { validBatches: Number.POSITIVE_INFINITY })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CallbackError);
    expect((err as CallbackError).message).toMatch(/LRFinder.*after_batch.*valid boom/);
    expect(validCalls).toBe(3);
    expect(weightsOf(d.learn)).toEqual(w);
    expect(optimizerOf(d.learn)).toEqual(o);
    expect(d.learn.opt).toBe(opt);
    expect([d.learn.dls.train.epoch, d.learn.dls.valid.epoch]).toEqual([trainEpoch, validEpoch]);
  });

  test("a run cancelled mid-way (CancelFitException): restored, the curves as long as lrs, batches freed", async () => {
    const d = regLearner();
    await d.learn.noLogging(() => d.learn.fit(1));
    const [w, o] = [weightsOf(d.learn), optimizerOf(d.learn)];
    const cancelAt: Callback = {
      name: "CancelAt",
      order: 70,
      after_batch: (l) => {
        if (l.training && l.trainIter === 7) throw new CancelFitException();
      },
    };
    const finder = new LRFinder({ validBatches: 2 });
    await expectNoLeaks(() => runFinder(d.learn, finder, cancelAt));
    expect(d.learn.recorder?.lrs).toHaveLength(7);
    expect(finder.rawValidLosses).toHaveLength(7);
    expect(finder.validLosses).toHaveLength(7);
    expect(finder.stop).toBeUndefined();
    expect(weightsOf(d.learn)).toEqual(w);
    expect(optimizerOf(d.learn)).toEqual(o);
    finder.releaseValidBatches(); // already freed by the fit: a no-op
  });

  test("lrFind with validation leaks nothing, on a fresh learner and on a trained one", async () => {
    const d = regLearner();
    await expectNoLeaks(() =>
      lrFind(d.learn, { validBatches: Number.POSITIVE_INFINITY, suggestOn: "valid" }),
    );
    await d.learn.noLogging(() => d.learn.fit(1));
    await expectNoLeaks(() => lrFind(d.learn, { validBatches: 1, repeats: 2 }));
  });
});
