import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend.js";
import { DataLoader } from "./dataloader.js";
import { DataError } from "./errors.js";

beforeAll(async () => {
  await initBackend();
});

/** x row i = [i, 1000 + i] (float32), y = i (int32): batches show which items they hold. */
function indexed(n: number): [tf.Tensor, tf.Tensor] {
  const ids = Array.from({ length: n }, (_, i) => i);
  return [
    tf.tensor2d(
      ids.flatMap((i) => [i, 1000 + i]),
      [n, 2],
    ),
    tf.tensor1d(ids, "int32"),
  ];
}

/** Runs one epoch, returning the item ids of each batch; disposes every batch. */
async function epochIds(dl: DataLoader): Promise<number[][]> {
  const out: number[][] = [];
  for await (const [xb, yb] of dl) {
    out.push(Array.from(yb.dataSync()));
    tf.dispose([xb, yb]);
  }
  return out;
}

const [x100, y100] = indexed(100);
afterAll(() => tf.dispose([x100, y100]));

describe("DataLoader over tensors", () => {
  it("has n, bs and length with and without dropLast", () => {
    const keepLast = DataLoader.fromTensors(x100, y100, { bs: 16 });
    const dropLast = DataLoader.fromTensors(x100, y100, { bs: 16, dropLast: true });
    const exact = DataLoader.fromTensors(x100, y100, { bs: 25, dropLast: true });
    expect([keepLast.n, keepLast.bs, keepLast.length]).toEqual([100, 16, 7]);
    expect(dropLast.length).toBe(6);
    expect(exact.length).toBe(4);
    expect(DataLoader.fromTensors(x100, y100).bs).toBe(64);
    for (const dl of [keepLast, dropLast, exact]) dl.dispose();
  });

  it("yields batches of the right shapes and dtypes, last one partial", async () => {
    const dl = DataLoader.fromTensors(x100, y100, { bs: 16 });
    const shapes: Array<[number[], number[], string, string]> = [];
    for await (const [xb, yb] of dl) {
      shapes.push([xb.shape, yb.shape, xb.dtype, yb.dtype]);
      tf.dispose([xb, yb]);
    }
    expect(shapes).toHaveLength(7);
    expect(shapes[0]).toEqual([[16, 2], [16], "float32", "int32"]);
    expect(shapes[6]).toEqual([[4, 2], [4], "float32", "int32"]);
    dl.dispose();
  });

  it("keeps x and y rows together", async () => {
    const dl = DataLoader.fromTensors(x100, y100, { bs: 7, shuffle: true, seed: 3 });
    for await (const [xb, yb] of dl) {
      const xs = xb.arraySync() as number[][];
      const ys = Array.from(yb.dataSync());
      expect(xs).toEqual(ys.map((i) => [i, 1000 + i]));
      tf.dispose([xb, yb]);
    }
    dl.dispose();
  });

  it("without shuffle, walks items in order every epoch", async () => {
    const dl = DataLoader.fromTensors(x100, y100, { bs: 30 });
    const ordered = Array.from({ length: 100 }, (_, i) => i);
    expect((await epochIds(dl)).flat()).toEqual(ordered);
    expect((await epochIds(dl)).flat()).toEqual(ordered);
    dl.dispose();
  });

  it("with shuffle, each epoch holds every item exactly once, in a new order", async () => {
    const dl = DataLoader.fromTensors(x100, y100, { bs: 16, shuffle: true, seed: 42 });
    const epochs = [await epochIds(dl), await epochIds(dl), await epochIds(dl)];
    const sorted = Array.from({ length: 100 }, (_, i) => i);
    for (const e of epochs) expect(e.flat().sort((a, b) => a - b)).toEqual(sorted);
    expect(epochs[0]).not.toEqual(epochs[1]);
    expect(epochs[1]).not.toEqual(epochs[2]);
    expect(epochs[0]?.flat()).not.toEqual(sorted);
    dl.dispose();
  });

  it("with dropLast, drops only the partial batch's items", async () => {
    const dl = DataLoader.fromTensors(x100, y100, { bs: 16, shuffle: true, dropLast: true, seed: 1 });
    const ids = await epochIds(dl);
    expect(ids.map((b) => b.length)).toEqual([16, 16, 16, 16, 16, 16]);
    expect(new Set(ids.flat()).size).toBe(96);
    dl.dispose();
  });

  it("the same seed reproduces the same sequence of epochs; another seed does not", async () => {
    const run = async (seed: number) => {
      const dl = DataLoader.fromTensors(x100, y100, { bs: 10, shuffle: true, seed });
      const e = [await epochIds(dl), await epochIds(dl)];
      dl.dispose();
      return e;
    };
    expect(await run(7)).toEqual(await run(7));
    expect(await run(7)).not.toEqual(await run(8));
  });

  it("epoch counts iterations and can be set to resume an order", async () => {
    const dl = DataLoader.fromTensors(x100, y100, { bs: 10, shuffle: true, seed: 5 });
    expect(dl.epoch).toBe(0);
    await epochIds(dl);
    const second = await epochIds(dl);
    expect(dl.epoch).toBe(2);
    dl.epoch = 1;
    expect(await epochIds(dl)).toEqual(second);
    expect(dl.batchIndices(1).map((b) => Array.from(b))).toEqual(second);
    expect(() => {
      dl.epoch = -1;
    }).toThrow(/epoch must be an integer >= 0, got -1/);
    dl.dispose();
  });

  it("oneBatch is the first batch of epoch 0, the same each call, and does not advance epoch", async () => {
    const dl = DataLoader.fromTensors(x100, y100, { bs: 8, shuffle: true, seed: 9 });
    const [xa, ya] = await dl.oneBatch();
    const [xb, yb] = await dl.oneBatch();
    expect(Array.from(ya.dataSync())).toEqual(Array.from(yb.dataSync()));
    expect(Array.from(ya.dataSync())).toEqual(Array.from(dl.batchIndices(0)[0] ?? []));
    expect(xa.shape).toEqual([8, 2]);
    expect(dl.epoch).toBe(0);
    tf.dispose([xa, ya, xb, yb]);
    const tiny = DataLoader.fromTensors(x100, y100, { bs: 200, dropLast: true });
    await expect(tiny.oneBatch()).rejects.toThrow(/oneBatch: no full batch \(n=100, bs=200, dropLast=true\)/);
    tiny.dispose();
    dl.dispose();
  });

  it("holds its own handles: the caller's tensors stay usable, dispose frees exactly the loader's", async () => {
    const before = tf.memory().numTensors;
    const [x, y] = indexed(10);
    let made: DataLoader | undefined;
    tf.tidy(() => {
      made = DataLoader.fromTensors(x, y, { bs: 4 });
    });
    const dl = made as DataLoader;
    x.dispose();
    y.dispose();
    expect((await epochIds(dl)).flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    dl.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => dl[Symbol.asyncIterator]()).toThrow(DataError);
    await expect(dl.oneBatch()).rejects.toThrow(/this DataLoader was disposed/);
  });

  it("rejects bad options and mismatched tensors with named errors, leaking nothing", () => {
    const before = tf.memory().numTensors;
    expect(() => DataLoader.fromTensors(x100, y100, { bs: 0 })).toThrow(/bs must be an integer >= 1, got 0/);
    expect(() => DataLoader.fromTensors(x100, y100, { prefetch: 1.5 })).toThrow(
      /prefetch must be an integer >= 0, got 1.5/,
    );
    expect(() => DataLoader.fromTensors(x100, y100, { seed: 0.5 })).toThrow(/seed must be a safe integer/);
    const short = tf.zeros([99]);
    expect(() => DataLoader.fromTensors(x100, short)).toThrow(
      /x shape \[100,2\] and y shape \[99\] need the same first \(item\) axis/,
    );
    short.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("DataLoader ownership on early exit", () => {
  for (const prefetch of [0, 1, 3]) {
    it(`break and throw leak nothing (prefetch ${prefetch})`, async () => {
      const dl = DataLoader.fromTensors(x100, y100, { bs: 10, shuffle: true, seed: 1, prefetch });
      const before = tf.memory().numTensors;
      for await (const batch of dl) {
        tf.dispose(batch);
        break;
      }
      expect(tf.memory().numTensors).toBe(before);
      await expect(async () => {
        let i = 0;
        for await (const batch of dl) {
          tf.dispose(batch);
          if (++i === 2) throw new Error("boom in the loop body");
        }
      }).rejects.toThrow("boom in the loop body");
      expect(tf.memory().numTensors).toBe(before);
      // Full epochs leak nothing either.
      await epochIds(dl);
      expect(tf.memory().numTensors).toBe(before);
      dl.dispose();
    });
  }

  it("return() before the first next() starts nothing", async () => {
    const dl = DataLoader.fromTensors(x100, y100, { bs: 10, prefetch: 2 });
    const before = tf.memory().numTensors;
    const it = dl[Symbol.asyncIterator]();
    await it.return();
    expect(tf.memory().numTensors).toBe(before);
    expect((await it.next()).done).toBe(true);
    dl.dispose();
  });
});
