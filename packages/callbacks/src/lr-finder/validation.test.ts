import { DataLoaders, DebiasedEma, initBackend, Learner, mseLoss, Rng, SGD } from "@sched/learner";
import { expectNoLeaks } from "@sched/learner/testing";
import { halfway, lossAt, minimum, valley } from "@sched/suggest";
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { lrFind } from "./lr-find.js";
import { LRFinder } from "./lr-finder.js";
import { optimizerOf, weightsOf } from "./test-helpers.js";
import {
  batchStarts,
  disposeAll,
  ema,
  expectRelClose,
  hostBatchLosses,
  hostValidLoss,
  onDispose,
  type RegData,
  regLearner,
  runFinder,
  weightsAfterStep,
} from "./validation-helpers.js";

beforeAll(async () => {
  await initBackend();
});
afterEach(disposeAll);

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
    onDispose(() => {
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
