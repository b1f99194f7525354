import { AssertionError } from "node:assert";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, test } from "vitest";
import { initBackend } from "./backend.js";
import { expectNoLeaks, synthLearner, testClose, testEq, testRelClose, twoGroups } from "./testing.js";

beforeAll(async () => {
  await initBackend();
});

describe("synthLearner", () => {
  test("the reference's setup: 10×16 shuffled train rows, 2×16 ordered valid rows, SGD mom 0.9, lr 1e-3", async () => {
    const learn = synthLearner({ seed: 7 });
    try {
      expect(learn.dls.train.length).toBe(10);
      expect(learn.dls.valid.length).toBe(2);
      expect(learn.dls.train.bs).toBe(16);
      expect(learn.dls.train.shuffle).toBe(true);
      expect(learn.dls.valid.shuffle).toBe(false);
      expect(learn.model.variables.map((v) => v.name.split("/").pop())).toEqual(["a", "b"]);
      expect(learn.lr).toBe(1e-3);
      learn.createOpt();
      expect(learn.opt?.hypers).toEqual([{ lr: 1e-3, mom: 0.9, wd: 0 }]);
      expect(learn.opt?.stateDict().state).toEqual([{}, {}]);
      // y = 2x + 3 + 0.1·noise: a least-squares fit of the training rows recovers a and b closely.
      const [x, y] = await learn.dls.valid.oneBatch();
      const [xs, ys] = [Array.from(x.dataSync()), Array.from(y.dataSync())];
      tf.dispose([x, y]);
      const n = xs.length;
      const mx = xs.reduce((s, v) => s + v, 0) / n;
      const my = ys.reduce((s, v) => s + v, 0) / n;
      let [sxy, sxx] = [0, 0];
      xs.forEach((v, i) => {
        sxy += (v - mx) * ((ys[i] as number) - my);
        sxx += (v - mx) ** 2;
      });
      // Noise sd 0.1 on 16 rows: the estimates are within ~0.03 (1 sd); 0.1 is a safe bound.
      expect(Math.abs(sxy / sxx - 2)).toBeLessThan(0.1);
      expect(Math.abs(my - (sxy / sxx) * mx - 3)).toBeLessThan(0.1);
    } finally {
      learn.dispose();
      learn.dls.dispose();
    }
  });

  test("is deterministic for a given seed, and differs across seeds", async () => {
    const run = async (seed: number) => {
      const learn = synthLearner({ seed, lr: 1e-2 });
      learn.logger = () => {};
      try {
        await learn.fit(2);
        return [...(learn.recorder?.losses ?? []), ...learn.model.a.dataSync()];
      } finally {
        learn.dispose();
        learn.dls.dispose();
      }
    };
    const [first, again, other] = [await run(11), await run(11), await run(12)];
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });
});

describe("assertions", () => {
  test("testClose: numbers, nested arrays, typed arrays, tensors; a length mismatch fails", () => {
    testClose(1, 1 + 1e-6);
    testClose([1, [2, 3]], new Float32Array([1, 2, 3]), 1e-6);
    const t = tf.tensor1d([0.5, 0.25]);
    testClose(t, [0.5, 0.25]);
    t.dispose();
    testClose([Number.NaN], [Number.NaN]);
    expect(() => testClose([1, 2], [1, 2, 3])).toThrow(AssertionError);
    expect(() => testClose([1, 2], [1, 2, 3])).toThrow(/shapes differ/);
    expect(() => testClose([[1, 2]], [[1], [2]])).toThrow(/shapes differ: \[1,2\] vs \[2,1\]/);
    expect(() => testClose(1, 1.1, 0.01)).toThrow(/element 0: 1 vs 1.1 differ by/);
  });

  test("testRelClose: tolerance relative to the expected value; a length mismatch fails", () => {
    testRelClose([1e-7 * (1 + 5e-6), 10 * (1 - 5e-6)], [1e-7, 10], 1e-5);
    expect(() => testRelClose([1e-7 * (1 + 2e-5)], [1e-7], 1e-5)).toThrow(/element 0/);
    expect(() => testRelClose([1, 2], [1], 1e-5)).toThrow(/2 values vs 1/);
  });

  test("twoGroups splits RegModel into [[a], [b]]", () => {
    const learn = synthLearner({ seed: 1, splitter: twoGroups });
    const groups = learn.createOpt().paramGroups;
    expect(groups.map((g) => g.map((v) => v.name.split("/").at(-1)))).toEqual([["a"], ["b"]]);
    learn.dispose();
    learn.dls.dispose();
  });

  test("testEq: exact deep equality, tensors by dtype, shape and values", () => {
    testEq({ a: [1, 2] }, { a: [1, 2] });
    expect(() => testEq([1, 2], [1, 2.0000001])).toThrow(AssertionError);
    const [a, b, c] = [tf.tensor1d([1, 2]), tf.tensor1d([1, 2]), tf.tensor1d([1, 2], "int32")];
    testEq(a, b);
    expect(() => testEq(a, c)).toThrow(/testEq/);
    tf.dispose([a, b, c]);
  });

  test("expectNoLeaks returns fn's result, and reports a leak (also when fn throws)", async () => {
    expect(await expectNoLeaks(() => tf.tidy(() => tf.ones([3]).sum().arraySync()))).toBe(3);
    let leaked: tf.Tensor | undefined;
    await expect(
      expectNoLeaks(() => {
        leaked = tf.ones([2]);
      }),
    ).rejects.toThrow(/1 tensor\(s\) leaked/);
    leaked?.dispose();
    await expect(
      expectNoLeaks(() => {
        leaked = tf.ones([2]);
        throw new Error("and failed");
      }),
    ).rejects.toThrow(/leaked/);
    leaked?.dispose();
    await expect(expectNoLeaks(() => Promise.reject(new Error("plain failure")))).rejects.toThrow(
      "plain failure",
    );
  });
});
