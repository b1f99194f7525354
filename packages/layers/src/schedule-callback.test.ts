/** scheduleCallback inside model.fit / model.fitDataset: positions, inference, errors, leaks. */
import { SchedCos, SchedLin } from "@sched/core";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { LayersError, UnsupportedHyperError, UnsupportedOptimizerError } from "./errors.js";
import { ScheduleCallback, scheduleCallback } from "./schedule-callback.js";
import {
  expectNoLeak,
  fitSteps,
  kernel,
  linearModel,
  mlp,
  regressionData,
  useBackend,
} from "./test-helpers.js";

useBackend();

const W0 = [0.5, -0.25];
const lin = SchedLin(0.1, 0.01);
const expectedAt = (positions: number[]) => positions.map((p) => lin(p));

/** Trains on `n` rows with fit, returns the callback's recorded lrs. */
async function recordFit(
  n: number,
  args: tf.ModelFitArgs,
  cb = scheduleCallback({ lr: lin }),
): Promise<number[]> {
  const model = linearModel(W0, tf.train.sgd(0.1));
  const x = tf.ones([n, 2]);
  const y = tf.ones([n, 1]);
  try {
    await model.fit(x, y, { verbose: 0, ...args, callbacks: [cb] });
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
  return cb.hps.lr as number[];
}

describe("positions", () => {
  it("infers totalSteps = epochs × ceil(samples / batchSize) from model.fit (partial last batch counts)", async () => {
    const cb = scheduleCallback({ lr: lin });
    const lrs = await recordFit(10, { batchSize: 4, epochs: 2 }, cb);
    expect(cb.totalSteps).toBe(6);
    expect(lrs).toEqual(expectedAt([0, 1, 2, 3, 4, 5].map((k) => k / 6)));
  });

  it("resumes the schedule at initialEpoch", async () => {
    const lrs = await recordFit(10, { batchSize: 4, epochs: 2, initialEpoch: 1 });
    expect(lrs).toEqual(expectedAt([3, 4, 5].map((k) => k / 6)));
  });

  it("uses the samples left after validationSplit", async () => {
    const cb = scheduleCallback({ lr: lin });
    await recordFit(10, { batchSize: 4, epochs: 1, validationSplit: 0.2 }, cb);
    expect(cb.totalSteps).toBe(2);
  });

  it("an explicit totalSteps wins; past it the end value holds", async () => {
    const lrs = await recordFit(
      8,
      { batchSize: 2, epochs: 1 },
      scheduleCallback({ lr: lin }, { totalSteps: 2 }),
    );
    expect(lrs).toEqual(expectedAt([0, 0.5, 1, 1]));
  });

  it("fitDataset: steps per epoch from the dataset's size, or from batchesPerEpoch", async () => {
    const model = linearModel(W0, tf.train.sgd(0.1));
    const rows = Array.from({ length: 6 }, () => ({ xs: tf.ones([2]), ys: tf.ones([1]) }));
    const ds = tf.data.array(rows).batch(2);
    const a = scheduleCallback({ lr: lin });
    await model.fitDataset(ds, { epochs: 2, verbose: 0, callbacks: [a] });
    expect(a.totalSteps).toBe(6);
    expect(a.hps.lr).toEqual(expectedAt([0, 1, 2, 3, 4, 5].map((k) => k / 6)));
    const b = scheduleCallback({ lr: lin });
    await model.fitDataset(ds.repeat(), { epochs: 2, batchesPerEpoch: 2, verbose: 0, callbacks: [b] });
    expect(b.hps.lr).toEqual(expectedAt([0, 1, 2, 3].map((k) => k / 4)));
    tf.dispose(rows.flatMap((r) => [r.xs, r.ys]));
    model.dispose();
  });

  it("a dataset of unknown size needs totalSteps: clear error before the first batch, nothing changed", async () => {
    const model = linearModel(W0, tf.train.sgd(0.1));
    const ds = tf.data.generator(function* () {
      for (let i = 0; i < 3; i++) yield { xs: tf.ones([2, 2]), ys: tf.ones([2, 1]) };
    });
    await expectNoLeak(async () => {
      const run = model.fitDataset(ds, { epochs: 1, verbose: 0, callbacks: [scheduleCallback({ lr: lin })] });
      await expect(run).rejects.toThrow(LayersError);
      await expect(
        model.fitDataset(ds, { epochs: 1, verbose: 0, callbacks: [scheduleCallback({ lr: lin })] }),
      ).rejects.toThrow(/cannot infer totalSteps.*\{ totalSteps \}/);
    });
    expect(kernel(model)).toEqual(W0.map((w) => Math.fround(w)));
    const c = scheduleCallback({ lr: lin }, { totalSteps: 3 });
    await model.fitDataset(ds, { epochs: 1, verbose: 0, callbacks: [c] });
    expect(c.hps.lr).toEqual(expectedAt([0, 1 / 3, 2 / 3]));
    model.dispose();
  });
});

describe("what it is and what it records", () => {
  it("is a tf.CustomCallback; plain functions and constants are schedules too; record: false keeps nothing", async () => {
    const cb = scheduleCallback({ lr: (pos) => 0.1 * (1 - pos), mom: 0.8 });
    expect(cb).toBeInstanceOf(tf.CustomCallback);
    const model = linearModel(W0, tf.train.momentum(0.1, 0.9));
    await fitSteps(model, 2, [cb]);
    expect(cb.hps).toEqual({ lr: [0.1, 0.05], mom: [0.8, 0.8] });
    const quiet = scheduleCallback({ lr: 0.1 }, { record: false });
    await fitSteps(model, 1, [quiet]);
    expect(quiet.hps).toEqual({ lr: [] });
    model.dispose();
  });

  it("mom means beta1 on Adam: the optimizer's field holds the last value", async () => {
    const opt = tf.train.adam(0.1, 0.9, 0.999);
    const model = linearModel(W0, opt);
    await fitSteps(model, 3, [scheduleCallback({ mom: SchedCos(0.95, 0.85) })]);
    expect((opt as unknown as { beta1: number }).beta1).toBeCloseTo(SchedCos(0.95, 0.85)(2 / 3), 12);
    model.dispose();
  });
});

describe("bad input: typed errors before training, nothing applied", () => {
  it("rejects bad schedules and options at construction", () => {
    expect(() => scheduleCallback({ lr: "fast" as never })).toThrow(
      /schedules\.lr must be a Schedule.*got fast/,
    );
    expect(() => scheduleCallback({ lr: Number.NaN })).toThrow(LayersError);
    expect(() => scheduleCallback({})).toThrow(/schedules is empty/);
    expect(() => scheduleCallback(null as never)).toThrow(/schedules must be an object/);
    expect(() => scheduleCallback({ speed: lin })).toThrow(/unknown hyper-parameter "speed"/);
    expect(() => scheduleCallback({ lr: lin }, { totalSteps: 2.5 })).toThrow(
      /totalSteps must be a positive integer; got 2.5/,
    );
    expect(() => scheduleCallback({ lr: lin }, { totalSteps: 0 })).toThrow(LayersError);
  });

  const cases: Array<[string, () => tf.Optimizer, Record<string, unknown>, RegExp, unknown]> = [
    [
      "beta1 on SGD",
      () => tf.train.sgd(0.1),
      { beta1: 0.9 },
      /SGD optimizer has no hyper-parameter "beta1"; it has: lr/,
      UnsupportedHyperError,
    ],
    [
      "mom on Adagrad",
      () => tf.train.adagrad(0.1),
      { lr: 0.1, mom: 0.9 },
      /Adagrad optimizer has no hyper-parameter "mom"/,
      UnsupportedHyperError,
    ],
    [
      "rho on Adam",
      () => tf.train.adam(0.1),
      { rho: 0.9 },
      /Adam optimizer has no hyper-parameter "rho"/,
      UnsupportedHyperError,
    ],
    [
      "mom and beta1 on Adam",
      () => tf.train.adam(0.1),
      { mom: 0.9, beta1: 0.8 },
      /"mom" and "beta1" both set Adam\.beta1/,
      LayersError,
    ],
    [
      "an array value",
      () => tf.train.sgd(0.1),
      { lr: () => [0.1, 0.2] },
      /returned an array at pos 0 \(\[0\.1, 0\.2\]\).*no parameter groups/,
      LayersError,
    ],
    [
      "NaN late in the run",
      () => tf.train.sgd(0.1),
      { lr: (p: number) => (p > 0.6 ? Number.NaN : 0.1) },
      /returned NaN at pos 0\.75; expected a finite number/,
      LayersError,
    ],
  ];
  it.each(cases)("%s", async (_name, makeOpt, schedules, message, type) => {
    const opt = makeOpt();
    const model = linearModel(W0, opt);
    await fitSteps(model, 1, []); // optimizer state exists, so the leak check sees only this fit
    const before = kernel(model);
    const iterations = opt.iterations;
    await expectNoLeak(async () => {
      const err = await fitSteps(model, 4, [scheduleCallback(schedules as never)]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(type);
      expect((err as Error).message).toMatch(message);
      if (err instanceof UnsupportedHyperError) expect(err.optimizer).toBe(opt.getClassName());
    });
    expect(kernel(model)).toEqual(before);
    expect(opt.iterations).toBe(iterations);
    model.dispose();
  });

  it("an optimizer it does not know: UnsupportedOptimizerError naming the class", async () => {
    class Frozen extends tf.Optimizer {
      static get className() {
        return "Frozen";
      }
      applyGradients(): void {}
      getConfig() {
        return {};
      }
    }
    const model = linearModel(W0, new Frozen());
    const err = await fitSteps(model, 1, [scheduleCallback({ lr: 0.1 })]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedOptimizerError);
    expect((err as UnsupportedOptimizerError).optimizer).toBe("Frozen");
    expect((err as Error).message).toMatch(
      /optimizer Frozen is not supported; supported: SGD, Momentum|supported: Momentum, SGD/,
    );
    model.dispose();
  });

  it("outside a fit: says to pass it to model.fit", async () => {
    await expect(new ScheduleCallback({ lr: 0.1 }).onTrainBegin()).rejects.toThrow(
      /pass the callback to model\.fit/,
    );
  });
});

describe("no tensor leaks while scheduling", () => {
  const optimizers: Array<[string, () => tf.Optimizer, Record<string, unknown>]> = [
    ["SGD lr", () => tf.train.sgd(0.01), { lr: lin }],
    ["Momentum lr + mom", () => tf.train.momentum(0.01, 0.9), { lr: lin, mom: SchedCos(0.95, 0.85) }],
    [
      "Adam lr + beta1 + beta2",
      () => tf.train.adam(0.01),
      { lr: lin, beta1: SchedCos(0.95, 0.85), beta2: SchedLin(0.99, 0.9) },
    ],
    ["Adamax lr + beta1", () => tf.train.adamax(0.01), { lr: lin, beta1: SchedCos(0.95, 0.85) }],
    [
      "RMSProp lr + mom + rho",
      () => tf.train.rmsprop(0.01, 0.9, 0.5),
      { lr: lin, mom: SchedCos(0.95, 0.85), rho: 0.95 },
    ],
  ];
  it.each(optimizers)("%s: numTensors before == after a 3-epoch fit", async (_n, makeOpt, schedules) => {
    const model = mlp(4);
    model.compile({ optimizer: makeOpt(), loss: "meanSquaredError" });
    const { x, y } = regressionData(64, 4);
    await model.fit(x, y, { batchSize: 16, epochs: 1, verbose: 0 }); // creates the optimizer's state
    await expectNoLeak(() =>
      model.fit(x, y, {
        batchSize: 16,
        epochs: 3,
        verbose: 0,
        callbacks: [scheduleCallback(schedules as never)],
      }),
    );
    tf.dispose([x, y]);
    model.dispose();
  });
});
