/** fitOneCycle: fastai's schedules (spec §9 items 12–14), the momentum mapping, datasets, errors, leaks. */
import { combinedCos } from "@sched/core";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LayersError } from "./errors.js";
import { fitOneCycle } from "./fit-one-cycle.js";
import { expectNoLeak, mlp, regressionData, useBackend } from "./test-helpers.js";

useBackend();

let x: tf.Tensor2D;
let y: tf.Tensor2D;
beforeAll(() => {
  ({ x, y } = regressionData(160, 4));
});
afterAll(() => tf.dispose([x, y]));

function compiled(optimizer: tf.Optimizer | string): tf.LayersModel {
  const model = mlp(4);
  model.compile({ optimizer, loss: "meanSquaredError" });
  return model;
}

const close = (actual: number[] | undefined, expected: number[], tol: number) => {
  expect(actual).toHaveLength(expected.length);
  actual?.forEach((a, i) => {
    expect(Math.abs(a - (expected[i] as number))).toBeLessThan(tol);
  });
};

describe("the reference's one-cycle checks", () => {
  it("2 epochs × 10 batches: lr and mom per batch as fastai's hps (spec items 13 and 14)", async () => {
    const model = compiled(tf.train.momentum(1e-2, 0.9));
    const history = await fitOneCycle(model, x, y, { epochs: 2, batchSize: 16, verbose: 0 });
    // The reference's values, 6 significant digits.
    const lr = [
      4e-4, 1.31672e-3, 3.71672e-3, 6.68328e-3, 9.08328e-3, 1e-2, 9.89074e-3, 9.56773e-3, 9.04509e-3,
      8.34567e-3, 7.50002e-3, 6.54512e-3, 5.52269e-3, 4.47741e-3, 3.45498e-3, 2.50007e-3, 1.65443e-3,
      9.55005e-4, 4.32369e-4, 1.09361e-4,
    ];
    const mom = [
      0.95, 0.940451, 0.915451, 0.884549, 0.859549, 0.85, 0.851093, 0.854323, 0.859549, 0.866543, 0.875,
      0.884549, 0.894774, 0.905226, 0.915451, 0.925, 0.933457, 0.940451, 0.945677, 0.948907,
    ];
    close(history.hps.lr, lr, 1e-8);
    close(history.hps.mom, mom, 1e-6);
    expect(history.epoch).toEqual([0, 1]);
    model.dispose();
  });

  it("trains: the loss after is lower than before (spec item 12)", async () => {
    const model = compiled(tf.train.adam(1e-2));
    const before = (model.evaluate(x, y) as tf.Scalar).dataSync()[0] as number;
    await fitOneCycle(model, x, y, { epochs: 4, batchSize: 16, verbose: 0 });
    const after = (model.evaluate(x, y) as tf.Scalar).dataSync()[0] as number;
    expect(after).toBeLessThan(before * 0.8);
    model.dispose();
  });
});

describe("options and the momentum mapping", () => {
  it("Adam: mom drives beta1; lrMax defaults to the optimizer's lr; div, divFinal, pctStart, moms apply", async () => {
    const opt = tf.train.adam(3e-3);
    const model = compiled(opt);
    const history = await fitOneCycle(model, x, y, {
      epochs: 1,
      batchSize: 16,
      div: 10,
      divFinal: 100,
      pctStart: 0.5,
      moms: [0.9, 0.8, 0.9],
      verbose: 0,
    });
    const steps = Array.from({ length: 10 }, (_, k) => k / 10);
    close(history.hps.lr, steps.map(combinedCos(0.5, 3e-4, 3e-3, 3e-5)), 1e-12);
    close(history.hps.mom, steps.map(combinedCos(0.5, 0.9, 0.8, 0.9)), 1e-12);
    expect((opt as unknown as { beta1: number }).beta1).toBe(history.hps.mom?.at(-1));
    model.dispose();
  });

  it("SGD, Adagrad: lr only; explicit moms there is an error", async () => {
    for (const name of ["sgd", "adagrad"]) {
      const model = compiled(name);
      const history = await fitOneCycle(model, x, y, { epochs: 1, batchSize: 32, lrMax: 1e-2, verbose: 0 });
      expect(Object.keys(history.hps)).toEqual(["lr"]);
      await expect(
        fitOneCycle(model, x, y, { epochs: 1, lrMax: 1e-2, moms: [0.95, 0.85, 0.95] }),
      ).rejects.toThrow(/has no momentum to schedule with moms/);
      model.dispose();
    }
  });

  it("RMSProp: momentum scheduled when it uses momentum (or moms is explicit), left alone at 0", async () => {
    const withMom = compiled(tf.train.rmsprop(1e-3, 0.9, 0.5));
    expect(Object.keys((await fitOneCycle(withMom, x, y, { epochs: 1, verbose: 0 })).hps)).toEqual([
      "lr",
      "mom",
    ]);
    const noMom = tf.train.rmsprop(1e-3);
    const plain = compiled(noMom);
    expect(Object.keys((await fitOneCycle(plain, x, y, { epochs: 1, verbose: 0 })).hps)).toEqual(["lr"]);
    expect((noMom as unknown as { momentum: number }).momentum).toBe(0);
    const asked = await fitOneCycle(plain, x, y, { epochs: 1, verbose: 0, moms: [0.9, 0.8, 0.9] });
    expect(Object.keys(asked.hps)).toEqual(["lr", "mom"]);
    withMom.dispose();
    plain.dispose();
  });

  it("other fit arguments pass through; user callbacks run after the schedule and see its values", async () => {
    const opt = tf.train.momentum(1e-2, 0.9);
    const model = compiled(opt);
    const seen: number[] = [];
    const config = {
      onBatchBegin: async () => void seen.push((opt as unknown as { learningRate: number }).learningRate),
    };
    let ends = 0;
    const instance = new tf.CustomCallback({ onEpochEnd: async () => void ends++ });
    const history = await fitOneCycle(model, x, y, {
      epochs: 2,
      batchSize: 32,
      validationSplit: 0.2,
      callbacks: [config as never, instance],
      verbose: 0,
    });
    expect(history.history.val_loss).toHaveLength(2);
    expect(seen).toEqual(history.hps.lr);
    expect(seen).toHaveLength(8); // 128 training rows / 32, twice
    expect(ends).toBe(2);
    model.dispose();
  });
});

describe("datasets", () => {
  it("fitDataset with a dataset of known size; positions from its batches", async () => {
    const model = compiled(tf.train.adam(1e-2));
    const ds = tf.data.zip({ xs: tf.data.array(x.arraySync()), ys: tf.data.array(y.arraySync()) }).batch(40);
    await model.fitDataset(ds, { epochs: 1, verbose: 0 }); // makes Adam's state, so only our fit is counted
    const history = await expectNoLeak(() => fitOneCycle(model, ds, { epochs: 2, verbose: 0 }));
    const lr = combinedCos(0.25, 4e-4, 1e-2, 1e-7);
    close(
      history.hps.lr,
      Array.from({ length: 8 }, (_, k) => lr(k / 8)),
      1e-12,
    );
    expect(history.history.loss).toHaveLength(2);
    const again = await fitOneCycle(model, ds, null, { epochs: 1, verbose: 0 });
    expect(again.hps.lr).toHaveLength(4);
    model.dispose();
  });
});

describe("no leaks", () => {
  it("numTensors before == after fitOneCycle (optimizer state already made)", async () => {
    const model = compiled(tf.train.momentum(1e-2, 0.9));
    await model.fit(x, y, { epochs: 1, verbose: 0 });
    await expectNoLeak(() => fitOneCycle(model, x, y, { epochs: 2, batchSize: 32, verbose: 0 }));
    model.dispose();
  });
});

describe("bad input: typed errors before training, nothing changed", () => {
  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ["epochs 0", { epochs: 0 }, /epochs must be a positive integer; got 0/],
    ["epochs 1.5", { epochs: 1.5 }, /epochs must be a positive integer; got 1\.5/],
    ["pctStart 0", { epochs: 1, pctStart: 0 }, /pctStart must be a number in \(0, 1\); got 0/],
    ["pctStart 1", { epochs: 1, pctStart: 1 }, /pctStart must be a number in \(0, 1\); got 1/],
    ["div 0", { epochs: 1, div: 0 }, /div must be a finite number > 0; got 0/],
    ["divFinal -1", { epochs: 1, divFinal: -1 }, /divFinal must be a finite number > 0; got -1/],
    ["lrMax NaN", { epochs: 1, lrMax: Number.NaN }, /lrMax must be a finite number > 0; got NaN/],
    [
      "moms of 2",
      { epochs: 1, moms: [0.95, 0.85] },
      /moms must be 3 numbers in \[0, 1\).*got \[0\.95,0\.85\]/,
    ],
    ["a mom of 1", { epochs: 1, moms: [0.95, 1, 0.95] }, /moms must be 3 numbers in \[0, 1\)/],
    ["no options", {}, /epochs must be a positive integer; got undefined/],
  ];
  it.each(bad)("%s", async (_name, options, message) => {
    const model = compiled(tf.train.adam(1e-3));
    const before = model.getWeights().map((w) => Array.from(w.dataSync()));
    await expectNoLeak(async () => {
      const err = await fitOneCycle(model, x, y, options as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LayersError);
      expect((err as Error).message).toMatch(message);
    });
    expect(model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    expect(model.optimizer.iterations).toBe(0);
    model.dispose();
  });

  it("x or y that are not tensors", async () => {
    const model = compiled("adam");
    await expect(fitOneCycle(model, [1, 2] as never, y, { epochs: 1 })).rejects.toThrow(/x must be a tensor/);
    await expect(fitOneCycle(model, x, "y" as never, { epochs: 1 })).rejects.toThrow(/y must be a tensor/);
    model.dispose();
  });
});

describe("a callback that throws mid-fit", () => {
  it("the error propagates; no tensor left beyond what tfjs's model.fit itself leaves on that path", async () => {
    const boom = () => ({
      onBatchEnd: async (batch: number) => {
        if (batch === 2) throw new Error("callback exploded");
      },
    });
    const plain = compiled(tf.train.adam(1e-2));
    const ours = compiled(tf.train.adam(1e-2));
    for (const m of [plain, ours]) await m.fit(x, y, { epochs: 1, verbose: 0 });
    const count = async (run: () => Promise<unknown>) => {
      const before = tf.memory().numTensors;
      await expect(run()).rejects.toThrow("callback exploded");
      return tf.memory().numTensors - before;
    };
    const tfjsOwn = await count(() =>
      plain.fit(x, y, { epochs: 1, batchSize: 16, verbose: 0, callbacks: [boom()] }),
    );
    const withOurs = await count(() =>
      fitOneCycle(ours, x, y, { epochs: 1, batchSize: 16, verbose: 0, callbacks: [boom() as never] }),
    );
    expect(withOurs).toBe(tfjsOwn);
    plain.dispose();
    ours.dispose();
  });
});
