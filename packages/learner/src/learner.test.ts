import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { initBackend } from "./backend.js";
import type { Callback } from "./callback.js";
import type { DataLoaders } from "./data/index.js";
import { EVENTS, type EventName } from "./events.js";
import {
  CallbackError,
  CancelBackwardException,
  CancelBatchException,
  CancelEpochException,
  CancelFitException,
  CancelStepException,
  CancelTrainException,
  CancelValidException,
  LearnerError,
} from "./exceptions.js";
import type { Learner } from "./learner.js";
import { expectNoLeaks, type RegModel, synthLearner } from "./testing.js";

beforeAll(async () => {
  await initBackend();
});

const open: Learner<RegModel, DataLoaders>[] = [];
afterEach(() => {
  for (const l of open.splice(0)) {
    l.dispose();
    l.dls.dispose();
  }
});

/** A quiet synth learner: 2 training batches, 1 validation batch. */
function small(opts: Parameters<typeof synthLearner>[0] = {}) {
  const learn = synthLearner({ nTrn: 2, nVal: 1, ...opts });
  learn.logger = () => {};
  open.push(learn);
  return learn;
}

/** A callback that logs every event it receives (and optionally throws once at `at`). */
function eventLog(log: string[], extra: Partial<Callback> = {}): Callback {
  const cb: Callback = { name: "EventLog", ...extra };
  for (const e of EVENTS) (cb as Record<string, unknown>)[e] = () => log.push(e);
  return cb;
}

/** Throws `make()` at the `nth` (1-based) occurrence of `event`. */
function thrower(event: EventName, make: () => Error, nth = 1, name = "Thrower", order = 1): Callback {
  let seen = 0;
  return {
    name,
    order,
    [event]: () => {
      seen += 1;
      if (seen === nth) throw make();
    },
  };
}

const TRAIN_BATCH = [
  "before_batch",
  "after_pred",
  "after_loss",
  "before_backward",
  "after_backward",
  "before_step",
  "after_step",
  "after_batch",
];
const VALID_BATCH = ["before_batch", "after_pred", "after_loss", "after_batch"];

describe("event sequence", () => {
  test("a 1-epoch fit with 2 train and 1 valid batch fires the reference's sequence", async () => {
    const log: string[] = [];
    const learn = synthLearner({ nTrn: 2, nVal: 1, cbs: [eventLog(log)] });
    learn.logger = () => {};
    open.push(learn);
    await learn.fit(1);
    expect(log).toEqual([
      "after_create",
      "before_fit",
      "before_epoch",
      "before_train",
      ...TRAIN_BATCH,
      ...TRAIN_BATCH,
      "after_train",
      "before_validate",
      ...VALID_BATCH,
      "after_validate",
      "after_epoch",
      "after_fit",
    ]);
  });

  test("bare bus listeners see every event, after the ordered callbacks", async () => {
    const learn = small();
    const seen: string[] = [];
    learn.addCbs([{ name: "Late", order: 1000, after_batch: () => seen.push("callback") }]);
    learn.bus.on("after_batch", () => seen.push("listener"));
    const all: string[] = [];
    learn.bus.on("*", (type) => all.push(type));
    await learn.fit(1);
    expect(seen).toEqual(["callback", "listener", "callback", "listener", "callback", "listener"]);
    expect(all.filter((e) => e === "after_batch")).toHaveLength(3);
    expect(all[0]).toBe("before_fit");
    expect(all.at(-1)).toBe("after_fit");
  });
});

describe("cancel exceptions", () => {
  const cases: [string, Error | (() => Error), EventName, number, string[]][] = [
    [
      "CancelBatchException in after_pred",
      () => new CancelBatchException(),
      "after_pred",
      1,
      ["before_batch", "after_pred", "after_cancel_batch", "after_batch", ...TRAIN_BATCH, "after_train"],
    ],
    [
      "CancelBackwardException in before_backward",
      () => new CancelBackwardException(),
      "before_backward",
      1,
      [
        "before_batch",
        "after_pred",
        "after_loss",
        "before_backward",
        "after_cancel_backward",
        "after_backward",
        "before_step",
        "after_step",
        "after_batch",
        ...TRAIN_BATCH,
        "after_train",
      ],
    ],
    [
      "CancelStepException in before_step",
      () => new CancelStepException(),
      "before_step",
      1,
      [
        "before_batch",
        "after_pred",
        "after_loss",
        "before_backward",
        "after_backward",
        "before_step",
        "after_cancel_step",
        "after_step",
        "after_batch",
        ...TRAIN_BATCH,
        "after_train",
      ],
    ],
    [
      "CancelTrainException in the first after_batch",
      () => new CancelTrainException(),
      "after_batch",
      1,
      [...TRAIN_BATCH, "after_cancel_train", "after_train"],
    ],
  ];

  test.each(cases)("%s", async (_name, make, event, nth, trainPart) => {
    const learn = small();
    await learn.fit(1); // the optimizer's state exists from here on
    const log: string[] = [];
    await expectNoLeaks(() =>
      learn.fit(1, { cbs: [eventLog(log), thrower(event, make as () => Error, nth)] }),
    );
    expect(log).toEqual([
      "before_fit",
      "before_epoch",
      "before_train",
      ...trainPart,
      "before_validate",
      ...VALID_BATCH,
      "after_validate",
      "after_epoch",
      "after_fit",
    ]);
  });

  test("CancelValidException in before_validate skips validation only", async () => {
    const learn = small();
    await learn.fit(1);
    const log: string[] = [];
    await expectNoLeaks(() =>
      learn.fit(1, { cbs: [eventLog(log), thrower("before_validate", () => new CancelValidException())] }),
    );
    expect(log).toEqual([
      "before_fit",
      "before_epoch",
      "before_train",
      ...TRAIN_BATCH,
      ...TRAIN_BATCH,
      "after_train",
      "before_validate",
      "after_cancel_validate",
      "after_validate",
      "after_epoch",
      "after_fit",
    ]);
    expect(learn.recorder?.values).toEqual([[expect.any(Number)]]);
  });

  test("CancelEpochException in before_train skips the epoch (after_train does not fire), the next epoch runs", async () => {
    const learn = small();
    await learn.fit(1);
    const log: string[] = [];
    await expectNoLeaks(() =>
      learn.fit(2, { cbs: [eventLog(log), thrower("before_train", () => new CancelEpochException())] }),
    );
    expect(log).toEqual([
      "before_fit",
      "before_epoch",
      "before_train",
      "after_cancel_epoch",
      "after_epoch",
      "before_epoch",
      "before_train",
      ...TRAIN_BATCH,
      ...TRAIN_BATCH,
      "after_train",
      "before_validate",
      ...VALID_BATCH,
      "after_validate",
      "after_epoch",
      "after_fit",
    ]);
    expect(learn.recorder?.values).toHaveLength(2);
    expect(learn.recorder?.values[0]).toEqual([]);
  });

  test("CancelFitException in after_batch fires after_cancel_fit and after_fit, skipping after_train/after_epoch", async () => {
    const learn = small();
    await learn.fit(1);
    const log: string[] = [];
    // Order 60 like the LR finder: the Recorder (50) has recorded the batch that stops the fit.
    const stop = thrower("after_batch", () => new CancelFitException(), 1, "Stop", 60);
    await expectNoLeaks(() => learn.fit(3, { cbs: [eventLog(log), stop] }));
    expect(log).toEqual([
      "before_fit",
      "before_epoch",
      "before_train",
      ...TRAIN_BATCH,
      "after_cancel_fit",
      "after_fit",
    ]);
    expect(learn.recorder?.values).toEqual([]);
    expect(learn.recorder?.losses).toHaveLength(1);
  });

  test("a cancel exception raised outside its level propagates (CancelBackwardException in after_pred)", async () => {
    const learn = small();
    await learn.fit(1);
    await expectNoLeaks(async () => {
      await expect(
        learn.fit(1, { cbs: [thrower("after_pred", () => new CancelBackwardException())] }),
      ).rejects.toBeInstanceOf(CancelBackwardException);
    });
  });

  test("a cancelled backward or step leaves the parameters untouched", async () => {
    for (const [event, make] of [
      ["before_backward", () => new CancelBackwardException()],
      ["before_step", () => new CancelStepException()],
    ] as const) {
      const learn = small();
      const before: number[][] = [];
      const after: number[][] = [];
      const snap = (into: number[][]) => () => {
        if (into.length === 0) into.push([...learn.model.a.dataSync(), ...learn.model.b.dataSync()]);
      };
      await learn.fit(1, {
        cbs: [thrower(event, make), { order: 2, before_batch: snap(before), after_batch: snap(after) }],
      });
      expect(after[0]).toEqual(before[0]);
    }
  });
});

describe("ordering and gating", () => {
  test("handlers run by ascending order, ties in insertion order, TrainEval first", async () => {
    const learn = small();
    const seen: string[] = [];
    const mk = (name: string, order?: number): Callback => ({
      name,
      ...(order === undefined ? {} : { order }),
      before_fit: (l) => seen.push(`${name}:${l.pctTrain === 0 ? "reset" : "stale"}`),
    });
    learn.pctTrain = 0.5;
    learn.addCbs([mk("five-a", 5), mk("minus20", -20), mk("five-b", 5), mk("default"), mk("late", 100)]);
    await learn.fit(1);
    expect(seen).toEqual(["minus20:stale", "default:reset", "five-a:reset", "five-b:reset", "late:reset"]);
  });

  test("runTrain / runValid gate the batch events only; run=false silences until the fit ends", async () => {
    const learn = small();
    const counts = { trainOnly: 0, validOnly: 0, trainOnlyValidate: 0, silenced: 0 };
    const trainOnly: Callback = {
      runValid: false,
      before_batch: () => counts.trainOnly++,
      before_validate: () => counts.trainOnlyValidate++,
    };
    const validOnly: Callback = { runTrain: false, after_pred: () => counts.validOnly++ };
    const silenced: Callback = {
      before_fit() {
        this.run = false;
      },
      after_batch: () => counts.silenced++,
    };
    learn.addCbs([trainOnly, validOnly, silenced]);
    await learn.fit(2);
    expect(counts).toEqual({ trainOnly: 4, validOnly: 2, trainOnlyValidate: 2, silenced: 0 });
    expect(silenced.run).toBe(true);
  });

  test("TrainEval keeps pctTrain, trainIter, iter and training as the reference", async () => {
    const learn = small();
    const seen: [number, number, number, boolean][] = [];
    learn.addCbs([{ before_batch: (l) => seen.push([l.pctTrain, l.trainIter, l.iter, l.training]) }]);
    await learn.fit(2);
    const step = 1 / (2 * 2);
    expect(seen).toEqual([
      [0, 0, 0, true],
      [step, 1, 1, true],
      [2 * step, 2, 0, false],
      [0.5, 2, 0, true],
      [0.5 + step, 3, 1, true],
      [0.5 + 2 * step, 4, 0, false],
    ]);
    expect(learn.nEpoch).toBe(2);
    expect(learn.epoch).toBe(1);
  });

  test("startEpoch skips earlier epochs with CancelEpochException and starts pctTrain at epoch/nEpoch", async () => {
    const learn = small();
    const pcts: number[] = [];
    const epochs: number[] = [];
    await learn.fit(4, {
      startEpoch: 2,
      cbs: [
        { order: 80, before_train: (l) => pcts.push(l.pctTrain), after_epoch: (l) => epochs.push(l.epoch) },
      ],
    });
    expect(pcts).toEqual([0.5, 0.75]);
    expect(epochs).toEqual([0, 1, 2, 3]);
    expect(learn.recorder?.values.map((v) => v.length)).toEqual([0, 0, 2, 2]);
    expect(learn.cbs.some((cb) => cb.name === "SkipToEpoch")).toBe(false);
  });
});

describe("errors", () => {
  test("a throwing callback: message names callback and event, no leak, learner still usable", async () => {
    const learn = small();
    await learn.fit(1);
    const log: string[] = [];
    const boom = thrower("after_loss", () => new Error("kaboom"), 2, "Boom");
    await expectNoLeaks(async () => {
      const err = await learn.fit(1, { cbs: [eventLog(log), boom] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CallbackError);
      expect((err as Error).message).toMatch(/`Boom`.*`after_loss`.*kaboom/);
      expect((err as CallbackError).cause).toBeInstanceOf(Error);
    });
    expect(log.at(-1)).toBe("after_loss"); // no after_batch / after_fit after a real error
    expect(learn.cbs).not.toContain(boom);
    await expectNoLeaks(() => learn.fit(1));
    expect(learn.recorder?.values).toHaveLength(1);
  });

  test("a throwing bus listener inside the gradient tape leaks nothing and is named", async () => {
    const learn = small();
    await learn.fit(1);
    const onBackward = () => {
      throw new RangeError("bad grad");
    };
    learn.bus.on("before_backward", onBackward);
    await expectNoLeaks(async () => {
      await expect(learn.fit(1)).rejects.toThrow(/bus listener onBackward.*before_backward.*bad grad/);
    });
    learn.bus.off("before_backward", onBackward);
    await expectNoLeaks(() => learn.fit(1));
  });

  test("fit while the same learner fits is an error; the running fit completes", async () => {
    const learn = small();
    const running = learn.fit(1);
    await expect(learn.fit(1)).rejects.toThrow(LearnerError);
    await expect(learn.fit(1)).rejects.toThrow(/already running fit\(\)/);
    await expect(learn.validate()).rejects.toThrow(/validate: this learner is already running fit\(\)/);
    await running;
    await learn.fit(1);
  });

  test.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "2"])("nEpoch %s is rejected", async (n) => {
    const learn = small();
    await expect(learn.fit(n as number)).rejects.toThrow(
      new LearnerError(`fit: nEpoch must be an integer >= 1, got ${String(n)}`),
    );
    await learn.fit(1); // nothing was left half-applied
  });

  test("startEpoch must be an integer in [0, nEpoch)", async () => {
    const learn = small();
    await expect(learn.fit(2, { startEpoch: 2 })).rejects.toThrow(
      /startEpoch must be an integer in \[0, 1\], got 2/,
    );
    await expect(learn.fit(2, { startEpoch: -1 })).rejects.toThrow(/startEpoch/);
  });

  test("a non-scalar loss is a clear error and leaks nothing", async () => {
    const learn = small();
    await learn.fit(1);
    learn.lossFunc = (p, t) => tf.sub(p, t) as tf.Scalar;
    await expectNoLeaks(async () => {
      await expect(learn.fit(1)).rejects.toThrow(/lossFunc must return a scalar, got shape \[16,1\]/);
    });
  });

  test("cleanup runs however the fit ends; retain keeps a batch tensor alive for its new owner", async () => {
    const learn = small();
    await learn.fit(1);
    const kept: tf.Tensor[] = [];
    const ends: string[] = [];
    const keeper: Callback = {
      name: "Keeper",
      runValid: false,
      after_batch: (l) => {
        kept.push(l.retain(l.pred as tf.Tensor));
      },
      cleanup: () => {
        ends.push(`cleanup:${kept.length}`);
      },
    };
    const n0 = tf.memory().numTensors;
    await learn.fit(1, { cbs: [keeper] });
    expect(tf.memory().numTensors).toBe(n0 + 2); // the two retained preds, still alive
    expect(kept.map((t) => t.shape)).toEqual([
      [16, 1],
      [16, 1],
    ]);
    tf.dispose(kept.splice(0));
    await expect(
      learn.fit(1, { cbs: [keeper, thrower("after_step", () => new Error("late"))] }),
    ).rejects.toThrow(/late/);
    expect(ends).toEqual(["cleanup:2", "cleanup:0"]);
    expect(tf.memory().numTensors).toBe(n0);
  });

  test("adding the same callback twice is an error", () => {
    const learn = small();
    const cb: Callback = { name: "Once" };
    learn.addCbs([cb]);
    expect(() => learn.addCbs([cb])).toThrow(/`Once` is already added/);
    learn.removeCbs([cb]);
    expect(learn.cbs).not.toContain(cb);
  });
});

describe("training", () => {
  test("fit on synthLearner lowers the validation loss, with no leak", async () => {
    const learn = small({ nTrn: 10, nVal: 2, lr: 1e-2 });
    const [before] = await learn.validate();
    await learn.fit(1);
    await expectNoLeaks(() => learn.fit(3));
    const [after] = await learn.validate();
    expect(after).toBeLessThan((before as number) / 4);
    expect(learn.recorder?.values.at(-1)?.[1]).toBeCloseTo(after as number, 5);
  });

  test("fit sets lr (and wd) on the optimizer; lr may be an lrSlice over groups", async () => {
    const learn = small({ splitter: (m) => [[m.a], [m.b]] });
    await learn.fit(1, { lr: 0.05, wd: 0.1 });
    expect(learn.opt?.hypers.map((h) => [h.lr, h.wd])).toEqual([
      [0.05, 0.1],
      [0.05, 0.1],
    ]);
    await learn.fit(1, { lr: { kind: "lrSlice", stop: 0.01 } });
    expect(learn.opt?.hypers.map((h) => h.lr)).toEqual([0.001, 0.01]);
    expect(learn.recorder?.lrs).toEqual([0.01, 0.01]);
  });

  test("resetOpt builds a fresh optimizer", async () => {
    const learn = small();
    await learn.fit(1);
    const first = learn.opt;
    await learn.fit(1);
    expect(learn.opt).toBe(first);
    await learn.fit(1, { resetOpt: true });
    expect(learn.opt).not.toBe(first);
  });

  test("validate returns [validLoss, ...metrics] and fires only validation events", async () => {
    const learn = small();
    const log: string[] = [];
    learn.addCbs([eventLog(log)]);
    const res = await learn.validate();
    expect(res).toHaveLength(1);
    expect(log).toEqual(["before_validate", ...VALID_BATCH, "after_validate"]);
    // The same loss by hand: mean((x·a + b - y)^2) over the single validation batch.
    const [x, y] = await learn.dls.valid.oneBatch();
    const [a, b] = [learn.model.a.dataSync()[0] as number, learn.model.b.dataSync()[0] as number];
    const xs = x.dataSync();
    const ys = y.dataSync();
    tf.dispose([x, y]);
    let sse = 0;
    xs.forEach((xi, i) => {
      sse += (xi * a + b - (ys[i] as number)) ** 2;
    });
    expect(res[0]).toBeCloseTo(sse / xs.length, 4);
  });
});
