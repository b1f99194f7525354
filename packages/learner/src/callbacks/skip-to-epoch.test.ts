import type * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { initBackend } from "../backend.js";
import type { Callback } from "../callback.js";
import { Learner } from "../learner.js";
import type { LoadersLike } from "../learner-options.js";
import { mseLoss } from "../losses.js";
import { synthLearner } from "../testing.js";

beforeAll(async () => {
  await initBackend();
});

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const d of disposers.splice(0)) d();
});

function learner() {
  const learn = synthLearner({ nTrn: 4, nVal: 1, seed: 7 });
  learn.logger = () => {};
  disposers.push(() => {
    learn.dispose();
    learn.dls.dispose();
  });
  return learn;
}

/** Records, per training epoch, the first x of every batch: a fingerprint of the shuffle order. */
function orderProbe(orders: Map<number, number[]>): Callback {
  return {
    runValid: false,
    before_batch: (l) => {
      const row = orders.get(l.epoch) ?? [];
      row.push((l.xb as tf.Tensor).dataSync()[0] as number);
      orders.set(l.epoch, row);
    },
  };
}

describe("SkipToEpoch and the loaders' shuffle orders", () => {
  test("a resumed fit on a fresh learner sees the same batch order in its remaining epochs", async () => {
    const full = new Map<number, number[]>();
    const resumed = new Map<number, number[]>();
    const a = learner();
    await a.fit(4, { cbs: [orderProbe(full)] });
    const b = learner();
    await b.fit(4, { startEpoch: 2, cbs: [orderProbe(resumed)] });
    expect([...resumed.keys()]).toEqual([2, 3]);
    expect(resumed.get(2)).toEqual(full.get(2));
    expect(resumed.get(3)).toEqual(full.get(3));
    // The orders do differ between epochs, so the equality above is not trivial.
    expect(full.get(2)).not.toEqual(full.get(1));
    // Skipped epochs count as iterations of both loaders, as if they had run.
    expect([b.dls.train.epoch, b.dls.valid.epoch]).toEqual([4, 4]);
    expect([a.dls.train.epoch, a.dls.valid.epoch]).toEqual([4, 4]);
  });

  test("loaders without a settable epoch are left alone", async () => {
    const base = learner();
    const plain = (dl: LoadersLike["train"]) => ({
      length: dl.length,
      [Symbol.asyncIterator]: () => dl[Symbol.asyncIterator](),
    });
    const frozen = {
      get epoch() {
        return 0;
      },
      ...plain(base.dls.valid),
    };
    const dls: LoadersLike = { train: plain(base.dls.train), valid: frozen };
    const learn = new Learner(dls, base.model, { lossFunc: mseLoss, lr: 1e-2 });
    learn.logger = () => {};
    disposers.push(() => learn.opt?.dispose());
    const seen: number[] = [];
    await learn.fit(3, { startEpoch: 1, cbs: [{ after_train: (l) => seen.push(l.epoch) }] });
    expect(seen).toEqual([1, 2]);
    expect(frozen.epoch).toBe(0);
  });
});
