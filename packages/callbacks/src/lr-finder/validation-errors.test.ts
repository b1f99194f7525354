import {
  type BatchLoader,
  type Callback,
  CallbackError,
  CancelFitException,
  type DataLoaders,
  initBackend,
  type LossFunc,
  mseLoss,
} from "@sched/learner";
import { expectNoLeaks } from "@sched/learner/testing";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { lrFind } from "./lr-find.js";
import { LRFinder } from "./lr-finder.js";
import { LrFindOptionError } from "./options.js";
import { optimizerOf, weightsOf } from "./test-helpers.js";
import { disposeAll, regLearner, runFinder } from "./validation-helpers.js";

beforeAll(async () => {
  await initBackend();
});
afterEach(disposeAll);

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
