import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { initBackend } from "../backend.js";
import type { Callback } from "../callback.js";
import { DataLoaders } from "../data/index.js";
import { CancelBatchException, CancelTrainException } from "../exceptions.js";
import { Learner } from "../learner.js";
import { rmse } from "../metrics.js";
import { SGD } from "../optim/index.js";
import { expectNoLeaks, RegModel, synthLearner, testClose } from "../testing.js";
import { formatTime, Recorder } from "./recorder.js";

beforeAll(async () => {
  await initBackend();
});

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const d of disposers.splice(0)) d();
});

/**
 * A learner whose loss is a scripted stream: 4 training batches of 16 and validation batches of 16
 * and 8. The loss does not depend on the model, so training changes nothing and the values are known.
 */
function scripted(trainLosses: number[], validLosses: number[], opts: { metrics?: [typeof rmse] } = {}) {
  const [x, y, xv, yv] = tf.tidy(() => {
    const x = tf.linspace(-1, 1, 64).reshape([64, 1]);
    const xv = tf.linspace(-1, 1, 24).reshape([24, 1]);
    return [x, tf.mul(x, 2), xv, tf.add(xv, 1)];
  }) as tf.Tensor[] as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
  const dls = DataLoaders.fromTensors([x, y], [xv, yv], { bs: 16, seed: 1 });
  tf.dispose([x, y, xv, yv]);
  const model = new RegModel();
  let [ti, vi] = [0, 0];
  const learn: Learner<RegModel> = new Learner(dls, model, {
    lossFunc: () =>
      tf.scalar(
        learn.training
          ? (trainLosses[ti++ % trainLosses.length] as number)
          : (validLosses[vi++ % validLosses.length] as number),
      ),
    optFunc: (g, o) => SGD(g, o),
    lr: 0.125,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  });
  learn.logger = () => {};
  disposers.push(() => {
    learn.dispose();
    dls.dispose();
  });
  return learn;
}

describe("Recorder", () => {
  test("smoothed, debiased losses on a known stream (beta 0.98), values, iters, lrs, metricNames", async () => {
    const learn = scripted([1, 2, 3, 4], [10, 20]);
    await expectNoLeaks(() => learn.fit(1));
    const rec = learn.recorder as Recorder;
    // val_k = 0.98·val_{k-1} + 0.02·loss_k and losses_k = val_k / (1 - 0.98^k), by hand:
    // k=1: 0.02 / 0.02; k=2: (0.0196 + 0.04) / (1 - 0.9604); k=3: (0.058408 + 0.06) / (1 - 0.941192);
    // k=4: (0.11603984 + 0.08) / (1 - 0.92236816).
    const expected = [1, 0.0596 / 0.0396, 0.118408 / 0.058808, 0.19603984 / 0.07763184];
    testClose(rec.losses, expected, 1e-12);
    expect(rec.batchLosses).toEqual([1, 2, 3, 4]);
    // Valid loss is the batch-size weighted mean: (10·16 + 20·8) / 24.
    testClose(rec.values, [[expected[3] as number, 320 / 24]], 1e-12);
    expect(rec.iters).toEqual([4]);
    expect(rec.lrs).toEqual([0.125, 0.125, 0.125, 0.125]);
    expect(rec.metricNames).toEqual(["epoch", "train_loss", "valid_loss", "time"]);
    expect(rec.log[0]).toBe(0);
    expect(rec.log.at(-1)).toMatch(/^\d\d:\d\d$/);
    expect(learn.smoothLoss).toBe(rec.losses[3]);
    expect(rec.hps).toEqual({});
  });

  test("smoothing continues across epochs; iters are cumulative", async () => {
    const learn = scripted([1, 2, 3, 4, 5, 6, 7, 8], [10, 20]);
    await learn.fit(2);
    const rec = learn.recorder as Recorder;
    expect(rec.losses).toHaveLength(8);
    // k=5 continues from k=4: (0.98·0.19603984 + 0.02·5) / (1 - 0.98^5)
    testClose(rec.losses[4] as number, (0.98 * 0.19603984 + 0.1) / (1 - 0.9039207968), 1e-12);
    expect(rec.iters).toEqual([4, 8]);
    expect(rec.values).toHaveLength(2);
    // A new fit starts over.
    await learn.fit(1);
    expect(rec.losses[0]).toBe(1);
    expect(rec.iters).toEqual([4]);
  });

  test("the lazily read losses equal the losses read batch by batch, and learn.smoothLoss agrees", async () => {
    const learn = synthLearner({ lr: 1e-2, seed: 3 });
    learn.logger = () => {};
    disposers.push(() => {
      learn.dispose();
      learn.dls.dispose();
    });
    const eager: number[] = [];
    const asked: number[] = [];
    const reader: Callback = {
      order: 40,
      runValid: false,
      after_batch: (l) => eager.push((l.loss as tf.Tensor).dataSync()[0] as number),
    };
    const asker: Callback = { order: 60, runValid: false, after_batch: (l) => asked.push(l.smoothLoss) };
    // A later handler still sees this batch's loss alive after the Recorder's read.
    const late: number[] = [];
    const after: Callback = {
      order: 70,
      runValid: false,
      after_batch: (l) => late.push((l.loss as tf.Tensor).dataSync()[0] as number),
    };
    await learn.fit(1); // creates the optimizer's state
    await expectNoLeaks(() => learn.fit(2, { cbs: [reader, asker, after] }));
    expect(late).toEqual(eager);
    const rec = learn.recorder as Recorder;
    expect(rec.batchLosses).toEqual(eager);
    let val = 0;
    const byHand = eager.map((loss, i) => {
      val = 0.98 * val + 0.02 * loss;
      return val / (1 - 0.98 ** (i + 1));
    });
    testClose(rec.losses, byHand, 1e-12);
    expect(asked).toEqual(rec.losses);
  });

  test("metrics get columns and values; validation metric equals the hand computation", async () => {
    const learn = scripted([1, 2, 3, 4], [10, 20], { metrics: [rmse] });
    await learn.fit(1);
    const rec = learn.recorder as Recorder;
    expect(rec.metricNames).toEqual(["epoch", "train_loss", "valid_loss", "rmse", "time"]);
    const [a, b] = [learn.model.a.dataSync()[0] as number, learn.model.b.dataSync()[0] as number];
    const xs = tf.tidy(() => tf.linspace(-1, 1, 24).dataSync());
    const mse = Array.from(xs).reduce((s, x) => s + (x * a + b - (x + 1)) ** 2, 0) / xs.length;
    expect(rec.values[0]).toHaveLength(3);
    testClose(rec.values[0]?.[2] as number, Math.sqrt(mse), 1e-4);
  });

  test("trainMetrics and validMetrics flags change the columns as the reference", async () => {
    const learn = scripted([1, 2, 3, 4], [10, 20], { metrics: [rmse] });
    const both = new Recorder({ trainMetrics: true, addTime: false });
    const none = new Recorder({ validMetrics: false });
    learn.removeCbs([learn.recorder as Recorder]).addCbs([both]);
    await learn.fit(1);
    expect(both.metricNames).toEqual(["epoch", "train_loss", "train_rmse", "valid_loss", "valid_rmse"]);
    expect(both.values[0]).toHaveLength(4);
    learn.removeCbs([both]).addCbs([none]);
    await learn.fit(1);
    expect(none.metricNames).toEqual(["epoch", "train_loss", "rmse", "time"]);
    expect(none.values[0]).toHaveLength(1);
  });

  test("a cancelled training phase leaves no train entry; a batch cancelled before its loss records nothing", async () => {
    const learn = scripted([1, 2, 3, 4], [10, 20]);
    await learn.fit(1, {
      cbs: [
        {
          before_train: (l) => {
            if (l.epoch === 0) throw new CancelTrainException();
          },
        },
      ],
    });
    testClose((learn.recorder as Recorder).values, [[320 / 24]], 1e-12);
    let n = 0;
    await learn.fit(1, {
      cbs: [
        {
          runValid: false,
          before_batch: () => {
            if (n++ === 1) throw new CancelBatchException();
          },
        },
      ],
    });
    const rec = learn.recorder as Recorder;
    expect(rec.lrs).toHaveLength(3);
    expect(rec.losses).toHaveLength(3);
    expect(rec.iters).toEqual([3]);
  });
});

test("formatTime prints mm:ss, and h:mm:ss from one hour", () => {
  expect(formatTime(0)).toBe("00:00");
  expect(formatTime(61.9)).toBe("01:01");
  expect(formatTime(3600 + 62)).toBe("1:01:02");
});
