/** The LR finder's batch streams: seeded orders, dropped partial batch, rows kept together. */
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { permutation, seededRandom, tensorBatches } from "./batches.js";
import { expectNoLeak, useBackend } from "./test-helpers.js";

useBackend();

describe("permutation", () => {
  it("is a permutation, reproducible by seed, different across seeds, identity without a generator", () => {
    const a = Array.from(permutation(50, seededRandom(1)));
    expect([...a].sort((p, q) => p - q)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(permutation(50, seededRandom(1)))).toEqual(a);
    expect(Array.from(permutation(50, seededRandom(2)))).not.toEqual(a);
    expect(Array.from(permutation(5))).toEqual([0, 1, 2, 3, 4]);
  });
});

async function take(n: number, stream: ReturnType<typeof tensorBatches>): Promise<number[][][]> {
  const out: number[][][] = [];
  for (let i = 0; i < n; i++) {
    const b = await stream.next();
    out.push([Array.from((b.xs as tf.Tensor).dataSync()), Array.from((b.ys as tf.Tensor).dataSync())]);
    tf.dispose(b.tensors);
  }
  return out;
}

describe("tensorBatches", () => {
  const rows = 10;
  const x = () =>
    tf.tensor2d(
      Array.from({ length: rows }, (_, i) => i),
      [rows, 1],
    );
  const y = () =>
    tf.tensor2d(
      Array.from({ length: rows }, (_, i) => 100 + i),
      [rows, 1],
    );

  it("full batches only, every row at most once per pass, a new order each pass, x and y rows together", async () => {
    const [xt, yt] = [x(), y()];
    const batches = await expectNoLeak(() =>
      take(4, tensorBatches(xt, yt, { batchSize: 4, shuffle: true, seed: 3, where: "t" })),
    );
    for (const [xs, ys] of batches) {
      expect(xs).toHaveLength(4);
      expect(ys).toEqual(xs?.map((v) => 100 + v));
    }
    const pass1 = [...(batches[0]?.[0] ?? []), ...(batches[1]?.[0] ?? [])];
    const pass2 = [...(batches[2]?.[0] ?? []), ...(batches[3]?.[0] ?? [])];
    expect(new Set(pass1).size).toBe(8);
    expect(new Set(pass2).size).toBe(8);
    expect(pass2).not.toEqual(pass1);
    tf.dispose([xt, yt]);
  });

  it("shuffle false: in order; fewer rows than batchSize: one batch of all rows", async () => {
    const [xt, yt] = [x(), y()];
    const ordered = await take(
      3,
      tensorBatches(xt, yt, { batchSize: 5, shuffle: false, seed: 0, where: "t" }),
    );
    expect(ordered.map(([xs]) => xs)).toEqual([
      [0, 1, 2, 3, 4],
      [5, 6, 7, 8, 9],
      [0, 1, 2, 3, 4],
    ]);
    const small = await take(
      1,
      tensorBatches(xt, yt, { batchSize: 64, shuffle: false, seed: 0, where: "t" }),
    );
    expect(small[0]?.[0]).toHaveLength(10);
    tf.dispose([xt, yt]);
  });

  it("maps and arrays of tensors gather the same rows", async () => {
    const [a, b, t] = [x(), y(), y()];
    const stream = tensorBatches({ a, b }, [t], { batchSize: 3, shuffle: true, seed: 9, where: "t" });
    const batch = await stream.next();
    const xs = batch.xs as Record<string, tf.Tensor>;
    const rowsA = Array.from(xs.a?.dataSync() ?? []);
    expect(Array.from(xs.b?.dataSync() ?? [])).toEqual(rowsA.map((v) => 100 + v));
    expect(Array.from((batch.ys as tf.Tensor[])[0]?.dataSync() ?? [])).toEqual(rowsA.map((v) => 100 + v));
    tf.dispose([...batch.tensors, a, b, t]);
  });
});
