/**
 * lrFind's validation curve (`validationData`, `suggestOn: "valid"`): values checked against
 * model.evaluate, the analysis against @sched/suggest's, datasets, bad input, restoration, leaks.
 */
import { analyzeCurve, analyzeLrFind, minimum, runStop, valley } from "@sched/suggest";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LayersError } from "./errors.js";
import { lrFind } from "./lr-find.js";
import { expectClose, expectNoLeak, mlp, regressionData, state, useBackend } from "./test-helpers.js";

useBackend();

let x: tf.Tensor2D;
let y: tf.Tensor2D;
let xv: tf.Tensor2D;
let yv: tf.Tensor2D;
beforeAll(() => {
  ({ x, y } = regressionData(256, 4));
  ({ x: xv, y: yv } = regressionData(80, 4, 11));
});
afterAll(() => tf.dispose([x, y, xv, yv]));

/** A compiled MLP whose optimizer has state (one epoch trained), as after some training. */
async function trained(optimizer: tf.Optimizer = tf.train.adam(1e-3)): Promise<tf.LayersModel> {
  const model = mlp(4);
  model.compile({ optimizer, loss: "meanSquaredError" });
  await model.fit(x, y, { batchSize: 32, epochs: 1, verbose: 0 });
  return model;
}

/** The same validation rows as a dataset of `{ xs, ys }` batches (tensors made per batch). */
function validDataset(batch: number): tf.data.Dataset<tf.TensorContainer> {
  return tf.data
    .zip({ xs: tf.data.array(xv.arraySync()), ys: tf.data.array(yv.arraySync()) })
    .batch(batch) as tf.data.Dataset<tf.TensorContainer>;
}

/** The debiased EMA (beta 0.98) lrFind applies to its losses, in float64. */
function debiased(raw: readonly number[]): number[] {
  let avg = 0;
  return raw.map((l, i) => {
    avg = 0.98 * avg + 0.02 * l;
    return avg / (1 - 0.98 ** (i + 1));
  });
}

/** model.evaluate's loss on (xv, yv), as a number. */
function evaluate(model: tf.LayersModel): number {
  const out = model.evaluate(xv, yv, { batchSize: 32 }) as tf.Scalar;
  const v = out.dataSync()[0] as number;
  out.dispose();
  return v;
}

describe("tensor validationData", () => {
  it("records the loss of the weights after each step (== model.evaluate) and its debiased EMA", async () => {
    const opts = { numIt: 30, startLr: 0.02, endLr: 1, shuffle: false, stopDiv: false } as const;
    const model = mlp(4, 5);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError" });
    const start = evaluate(model);
    const res = await expectNoLeak(() => lrFind(model, x, y, { ...opts, validationData: [xv, yv] }));
    const { curve } = res;
    expect(curve.losses).toHaveLength(30);
    expect(curve.validLosses).toHaveLength(30);
    expect(curve.rawValidLosses).toHaveLength(30);
    const raw = curve.rawValidLosses as number[];
    expectClose(curve.validLosses as number[], debiased(raw), 1e-6);
    expect(evaluate(model)).toBe(start); // restored

    // The same two steps by hand on a model with the same start weights (shuffle off: rows 0–31,
    // then 32–63; the LRs the ramp set), each followed by model.evaluate of all validation rows.
    const twin = mlp(4, 5);
    const sgd = tf.train.sgd(0.1);
    twin.compile({ optimizer: sgd, loss: "meanSquaredError" });
    const expected: number[] = [];
    for (let i = 0; i < 2; i++) {
      sgd.setLearningRate(curve.lrs[i] as number);
      const [xb, yb] = [x.slice(32 * i, 32), y.slice(32 * i, 32)];
      await twin.trainOnBatch(xb, yb);
      tf.dispose([xb, yb]);
      expected.push(evaluate(twin));
    }
    // Large LRs, so each step moves the loss far more than the tolerance: the check has teeth.
    expect(Math.abs((expected[0] as number) - start)).toBeGreaterThan(1e-2);
    expect(Math.abs((expected[1] as number) - (expected[0] as number))).toBeGreaterThan(1e-3);
    expectClose(raw.slice(0, 2), expected, 1e-6);
    // The training curve is the one a run without validation records (evaluate changes nothing).
    const plain = await lrFind(model, x, y, opts);
    expect(plain.curve.losses).toEqual(curve.losses);
    expect(Object.keys(plain.curve)).toEqual(["lrs", "losses", "rawLosses"]);
    sgd.dispose();
    twin.dispose();
    model.dispose();
  });

  it('suggestOn "valid": exactly @sched/suggest\'s analysis of the validation curve', async () => {
    const model = await trained();
    const suggestFuncs = [valley, minimum];
    const res = await expectNoLeak(() =>
      lrFind(model, x, y, { seed: 2, suggestFuncs, validationData: [xv, yv], suggestOn: "valid" }),
    );
    const { curve } = res;
    const numIt = 100;
    const expected = analyzeCurve(curve, numIt, { suggestFuncs, suggestOn: "valid" });
    expect(res.analysis).toEqual(expected);
    // Spelled out: the validation curve, with how the run ended read from the training loss.
    const byHand = analyzeLrFind(
      { lrs: curve.lrs, losses: curve.validLosses as number[], rawLosses: curve.rawValidLosses, numIt },
      { suggestFuncs, stop: runStop(curve.lrs, curve.losses, numIt) },
    );
    expect(expected).toEqual(byHand);
    expect({ ...res }).toEqual({
      valley: expected.suggestions.valley?.lr,
      minimum: expected.suggestions.minimum?.lr,
    });
    expect(res.suggestions).toEqual(expected.suggestions);
    // The default still reads the training curve, with the validation curve recorded beside it.
    const onTrain = await lrFind(model, x, y, { seed: 2, suggestFuncs, validationData: [xv, yv] });
    expect(onTrain.analysis).toEqual(analyzeLrFind({ ...onTrain.curve, numIt }, { suggestFuncs }));
    expect(onTrain.curve.validLosses).toHaveLength(onTrain.curve.losses.length);
    model.dispose();
  });
});

describe("dataset validationData", () => {
  it("gives the loss evaluate gives on the same rows (within 1e-5); no leaks; restored", async () => {
    const model = await trained();
    const before = await state(model);
    const opts = { seed: 4, numIt: 25, endLr: 1e-1, stopDiv: false } as const;
    const viaTensors = await lrFind(model, x, y, { ...opts, validationData: [xv, yv] });
    const viaDataset = await expectNoLeak(() =>
      lrFind(model, x, y, {
        ...opts,
        validationData: validDataset(16),
        suggestOn: "valid",
        suggestFuncs: [minimum],
      }),
    );
    expect(viaDataset.curve.losses).toEqual(viaTensors.curve.losses);
    expectClose(
      viaDataset.curve.rawValidLosses as number[],
      viaTensors.curve.rawValidLosses as number[],
      1e-5,
    );
    expect(await state(model)).toEqual(before);
    model.dispose();
  });

  it("training on a dataset: batchSize batches tensor validationData, and is refused with nothing to batch", async () => {
    const model = await trained();
    const train = tf.data
      .zip({ xs: tf.data.array(x.arraySync()), ys: tf.data.array(y.arraySync()) })
      .batch(64);
    const res = await expectNoLeak(() =>
      lrFind(model, train as never, { numIt: 12, stopDiv: false, batchSize: 16, validationData: [xv, yv] }),
    );
    expect(res.curve.rawValidLosses).toHaveLength(12);
    await expect(
      lrFind(model, train as never, { numIt: 12, batchSize: 16, validationData: validDataset(16) }),
    ).rejects.toThrow(
      /batchSize applies to tensors \(x, y or validationData\); a dataset is batched already \(got 16\)/,
    );
    model.dispose();
  });
});

describe("bad input: LayersError naming the option, before training", () => {
  const disposed = tf.ones([2, 4]);
  disposed.dispose();
  const bad: Array<[string, () => Record<string, unknown>, RegExp]> = [
    [
      'suggestOn "valid" without validationData',
      () => ({ suggestOn: "valid" }),
      /suggestOn "valid" needs validationData \(the validation curve is recorded only then\); got no validationData/,
    ],
    [
      'suggestOn "foo"',
      () => ({ suggestOn: "foo", validationData: [xv, yv] }),
      /suggestOn must be "train" or "valid"; got foo/,
    ],
    [
      "validationData a tensor",
      () => ({ validationData: xv }),
      /validationData must be \[x, y\].*; got a tensor of shape \[80,4\]/,
    ],
    [
      "validationData [x]",
      () => ({ validationData: [xv] }),
      /validationData must be \[x, y\].*; got an array of 1/,
    ],
    ["validationData a number", () => ({ validationData: 3 }), /validationData must be \[x, y\].*; got 3/],
    [
      "validationData [x, 'y']",
      () => ({ validationData: [xv, "y"] }),
      /validationData\[1\] must be a tensor, an array or a map of tensors; got y/,
    ],
    [
      "validationData [numbers, y]",
      () => ({ validationData: [[1, 2], yv] }),
      /validationData\[0\] must be a tensor, an array or a map of tensors; got 1,2/,
    ],
    [
      "a disposed tensor",
      () => ({ validationData: [disposed, yv] }),
      /validationData\[0\] holds a disposed tensor/,
    ],
  ];
  it.each(bad)("%s", async (_name, options, expected) => {
    const model = await trained();
    const before = await state(model);
    const config = model.optimizer.getConfig();
    await expectNoLeak(async () => {
      const err = await lrFind(model, x, y, options() as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LayersError);
      expect((err as Error).message).toMatch(expected);
      expect((err as Error).message).toMatch(/^lrFind: /);
    });
    expect(await state(model)).toEqual(before);
    expect(model.optimizer.getConfig()).toEqual(config);
    model.dispose();
  });
});

describe("validation data the model cannot take", () => {
  const wrong: Array<[string, () => Record<string, unknown>]> = [
    ["tensors with 3 features instead of 4", () => ({ validationData: [xv.slice([0, 0], [80, 3]), yv] })],
    [
      "a dataset of 3 features",
      () => ({
        validationData: tf.data
          .zip({
            xs: tf.data.array(tf.tidy(() => xv.slice([0, 0], [80, 3]).arraySync())),
            ys: tf.data.array(yv.arraySync()),
          })
          .batch(16),
      }),
    ],
  ];
  it.each(wrong)(
    "%s: evaluate's error propagates; weights, optimizer state and hypers restored; no leak",
    async (_n, options) => {
      const model = await trained();
      const before = await state(model);
      const config = model.optimizer.getConfig();
      const opts = options();
      const made = (opts.validationData as tf.Tensor[])[0];
      const tensors = tf.memory().numTensors;
      const err = await lrFind(model, x, y, { numIt: 20, ...opts }).catch((e: unknown) => e);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(LayersError); // the model's own error, as evaluate throws it
      expect((err as Error).message).toMatch(/shape/);
      expect(await state(model)).toEqual(before);
      expect(model.optimizer.getConfig()).toEqual(config);
      await model.fit(x, y, { epochs: 1, verbose: 0 }); // not left "training"
      if (made instanceof tf.Tensor) made.dispose();
      model.dispose();
    },
  );
});

describe("tensors", () => {
  it("numTensors unchanged after runs with validation, with and without repeats: 2 (each run the same data)", async () => {
    const model = await trained();
    const before = await state(model);
    const validationData: [tf.Tensor, tf.Tensor] = [xv, yv];
    const one = await expectNoLeak(() => lrFind(model, x, y, { seed: 8, numIt: 40, validationData }));
    const two = await expectNoLeak(() =>
      lrFind(model, x, y, { seed: 7, numIt: 40, validationData, repeats: 2, suggestOn: "valid" }),
    );
    expect(two.repeats?.k).toBe(2);
    // Run 2 of the repeats (seed 7 + 1) started from the restored model and evaluated the same
    // rows: its curves are those of a single run with seed 8.
    expectClose(two.curve.losses, one.curve.losses, 1e-6);
    expectClose(two.curve.rawValidLosses as number[], one.curve.rawValidLosses as number[], 1e-6);
    expect(two.repeats?.runs[1]).toEqual(analyzeCurve(two.curve, 40, { suggestOn: "valid" }));
    expect(await state(model)).toEqual(before);
    model.dispose();
  });
});
