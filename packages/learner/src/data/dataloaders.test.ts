import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend.js";
import type { DataLoader } from "./dataloader.js";
import { DataLoaders } from "./dataloaders.js";
import { DataError } from "./errors.js";
import { randomSplit } from "./split.js";

beforeAll(async () => {
  await initBackend();
});

/** x row i = [i], y = 2i: which items a loader holds, read back from its batches. */
function indexed(n: number, offset = 0): [tf.Tensor, tf.Tensor] {
  const ids = Array.from({ length: n }, (_, i) => i + offset);
  return [tf.tensor2d(ids, [n, 1]), tf.tensor1d(ids.map((i) => 2 * i))];
}

async function ids(dl: DataLoader): Promise<number[]> {
  const out: number[] = [];
  for await (const [xb, yb] of dl) {
    const xs = Array.from(xb.dataSync());
    expect(Array.from(yb.dataSync())).toEqual(xs.map((i) => 2 * i));
    out.push(...xs);
    tf.dispose([xb, yb]);
  }
  return out;
}

const sorted = (a: number[]) => a.slice().sort((p, q) => p - q);

describe("randomSplit", () => {
  it("puts floor(validPct·n) items in valid, the rest in train, reproducibly per seed", () => {
    const a = randomSplit(10, 0.2, 1);
    expect(a.valid.length).toBe(2);
    expect(a.train.length).toBe(8);
    expect(sorted([...a.train, ...a.valid])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(randomSplit(10, 0.2, 1)).toEqual(a);
    const others = [2, 3, 4, 5].map((s) => Array.from(randomSplit(10, 0.2, s).valid).join());
    expect(others.some((v) => v !== Array.from(a.valid).join())).toBe(true);
    // 0.29 · 100 is 28.999999999999996 in floating point: still 29.
    expect(randomSplit(100, 0.29, 1).valid.length).toBe(29);
    expect(randomSplit(7, 0.5, 1).valid.length).toBe(3);
  });

  it("rejects splits that leave a side empty, naming the values", () => {
    expect(() => randomSplit(10, 0, 1)).toThrow(/validPct must be a number in \(0, 1\), got 0/);
    expect(() => randomSplit(10, Number.NaN, 1)).toThrow(DataError);
    expect(() => randomSplit(4, 0.2, 1)).toThrow(/validPct 0.2 of 4 items leaves 0 valid and 4 train items/);
    expect(() => randomSplit(1, 0.5, 1)).toThrow(/n must be an integer >= 2, got 1/);
  });
});

describe("DataLoaders.fromTensors", () => {
  it("from train and valid tensors: bs 64 by default, train shuffled, valid in order", async () => {
    const train = indexed(160);
    const valid = indexed(32, 1000);
    const dls = DataLoaders.fromTensors(train, valid, { seed: 3 });
    expect([dls.train.bs, dls.valid.bs, dls.train.length, dls.valid.length]).toEqual([64, 64, 3, 1]);
    expect([dls.train.shuffle, dls.valid.shuffle, dls.train.training, dls.valid.training]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    const t = await ids(dls.train);
    expect(sorted(t)).toEqual(Array.from({ length: 160 }, (_, i) => i));
    expect(t).not.toEqual(sorted(t));
    expect(await ids(dls.valid)).toEqual(Array.from({ length: 32 }, (_, i) => 1000 + i));
    dls.dispose();
    tf.dispose([...train, ...valid]);
  });

  it("synth_dbunch shape: bs 16, 160 train rows give 10 batches, 32 valid rows give 2", () => {
    const train = indexed(160);
    const valid = indexed(32);
    const dls = DataLoaders.fromTensors(train, valid, { bs: 16, seed: 0 });
    expect([dls.train.length, dls.valid.length, dls.train.dropLast]).toEqual([10, 2, false]);
    dls.dispose();
    tf.dispose([...train, ...valid]);
  });

  it("honours validBs, dropLast (train only) and shuffle: false", async () => {
    const train = indexed(50);
    const valid = indexed(10);
    const dls = DataLoaders.fromTensors(train, valid, { bs: 16, validBs: 4, dropLast: true, shuffle: false });
    expect([dls.train.length, dls.valid.length, dls.valid.dropLast]).toEqual([3, 3, false]);
    expect(await ids(dls.train)).toEqual(Array.from({ length: 48 }, (_, i) => i));
    dls.dispose();
    tf.dispose([...train, ...valid]);
  });

  it("splits one dataset by validPct and seed: disjoint, complete, reproducible", async () => {
    const data = indexed(100);
    const split = async (seed: number) => {
      const dls = DataLoaders.fromTensors(data, { validPct: 0.2, seed, bs: 16 });
      const out = { train: sorted(await ids(dls.train)), valid: await ids(dls.valid) };
      dls.dispose();
      return out;
    };
    const a = await split(42);
    expect(a.valid).toHaveLength(20);
    expect(a.train).toHaveLength(80);
    expect(sorted([...a.train, ...a.valid])).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(a.valid).toEqual(sorted(a.valid));
    expect(a.valid).toEqual(Array.from(randomSplit(100, 0.2, 42).valid));
    expect(await split(42)).toEqual(a);
    expect((await split(43)).valid).not.toEqual(a.valid);
    tf.dispose(data);
  });

  it("the same seed gives the same training orders", async () => {
    const data = indexed(40);
    const orders = async () => {
      const dls = DataLoaders.fromTensors(data, { validPct: 0.25, seed: 8, bs: 8 });
      const o = [await ids(dls.train), await ids(dls.train)];
      dls.dispose();
      return o;
    };
    const first = await orders();
    expect(await orders()).toEqual(first);
    expect(first[0]).not.toEqual(first[1]);
    tf.dispose(data);
  });

  it("owns only its own tensors: built in a tidy, freed by dispose, caller's untouched", async () => {
    const before = tf.memory().numTensors;
    const data = indexed(30);
    const pairs = [indexed(20), indexed(10)] as const;
    const made: DataLoaders[] = [];
    tf.tidy(() => {
      made.push(DataLoaders.fromTensors(data, { validPct: 0.5, seed: 1 }));
      made.push(DataLoaders.fromTensors(pairs[0], pairs[1]));
    });
    const [split, given] = made as [DataLoaders, DataLoaders];
    expect(await ids(split.valid)).toHaveLength(15);
    expect(await ids(given.valid)).toHaveLength(10);
    split.dispose();
    given.dispose();
    expect(data.every((t) => !t.isDisposed)).toBe(true);
    tf.dispose([...data, ...pairs[0], ...pairs[1]]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("rejects bad input with named errors and leaks nothing", () => {
    const data = indexed(10);
    const short = tf.zeros([9]);
    const before = tf.memory().numTensors;
    expect(() => DataLoaders.fromTensors(data, { validPct: 1.5 })).toThrow(
      /validPct must be a number in \(0, 1\)/,
    );
    expect(() => DataLoaders.fromTensors(data, {} as never)).toThrow(/pass a valid set, or validPct/);
    expect(() => DataLoaders.fromTensors(data, [data[0], short])).toThrow(
      /valid: x shape \[10,1\] and y shape \[9\] need the same first \(item\) axis/,
    );
    expect(() => DataLoaders.fromTensors(data, data, { bs: -1 })).toThrow(
      /bs must be an integer >= 1, got -1/,
    );
    expect(() => DataLoaders.fromTensors(data, { validPct: 0.5, validBs: 0 })).toThrow(
      /bs must be an integer >= 1, got 0/,
    );
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([...data, short]);
  });
});

describe("DataLoaders.fromItems", () => {
  const itemTfm = async (item: string, ctx: { training: boolean }) => ({
    x: [Number(item.slice(1)), ctx.training ? 1 : 0],
    y: item.startsWith("c") ? 0 : 1,
  });

  it("from train and valid items: the train transform is told training, the valid one not", async () => {
    const dls = DataLoaders.fromItems(["c1", "d2", "c3"], ["d4", "c5"], {
      itemTfm,
      xShape: [2],
      bs: 2,
      seed: 1,
    });
    expect([dls.train.length, dls.valid.length, dls.train.prefetch]).toEqual([2, 1, 1]);
    const [xv, yv] = await dls.valid.oneBatch();
    expect(xv.arraySync()).toEqual([
      [4, 0],
      [5, 0],
    ]);
    expect(Array.from(yv.dataSync())).toEqual([1, 0]);
    const seen: number[][] = [];
    for await (const [xb, yb] of dls.train) {
      seen.push(...(xb.arraySync() as number[][]));
      tf.dispose([xb, yb]);
    }
    expect(seen.map((r) => r[1])).toEqual([1, 1, 1]);
    expect(sorted(seen.map((r) => r[0] ?? -1))).toEqual([1, 2, 3]);
    tf.dispose([xv, yv]);
    dls.dispose();
  });

  it("splits one array of items by validPct and seed like randomSplit", async () => {
    const items = Array.from({ length: 10 }, (_, i) => (i % 2 ? `d${i}` : `c${i}`));
    const dls = DataLoaders.fromItems(items, { itemTfm, xShape: [2], validPct: 0.3, seed: 5, bs: 4 });
    expect([dls.train.n, dls.valid.n]).toEqual([7, 3]);
    const [xv, yv] = await dls.valid.oneBatch();
    const validIds = (xv.arraySync() as number[][]).map((r) => r[0]);
    expect(validIds).toEqual(Array.from(randomSplit(10, 0.3, 5).valid));
    tf.dispose([xv, yv]);
    dls.dispose();
  });

  it("requires opts with the valid items, and validPct without them", () => {
    expect(() => DataLoaders.fromItems(["c1"], ["c2"], undefined as never)).toThrow(
      /fromItems\(train, valid, opts\): opts with itemTfm and xShape is required/,
    );
    expect(() => DataLoaders.fromItems(["c1", "c2"], { itemTfm, xShape: [2] } as never)).toThrow(
      /fromItems: pass a valid set, or validPct/,
    );
  });
});
