import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { initBackend } from "../backend.js";
import { DataLoader } from "./dataloader.js";
import { DataError, ItemTransformError } from "./errors.js";
import type { ItemContext, ItemSample } from "./item-source.js";
import { Limiter } from "./limiter.js";

beforeAll(async () => {
  await initBackend();
});

/** Lets other callbacks run: an item transform that yields behaves like a real async decode. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A 2×2 RGB "image" whose pixels all equal the item's number; label = number mod 3. */
async function fakeDecode(item: number): Promise<ItemSample> {
  await tick();
  return { x: new Float32Array(12).fill(item), y: item % 3 };
}

const imageOpts = { itemTfm: fakeDecode, xShape: [2, 2, 3] } as const;

let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeEach(() => {
  unhandled = [];
  process.on("unhandledRejection", onUnhandled);
});
afterEach(() => {
  process.off("unhandledRejection", onUnhandled);
});

describe("DataLoader.fromItems", () => {
  it("collates samples into an NHWC float32 batch and an int32 label batch", async () => {
    const items = [10, 11, 12, 13, 14];
    const dl = DataLoader.fromItems(items, { ...imageOpts, bs: 2 });
    const got: Array<{ shape: number[]; dtype: string; pixels: number[]; labels: number[]; yDtype: string }> =
      [];
    for await (const [xb, yb] of dl) {
      const px = xb.dataSync();
      got.push({
        shape: xb.shape,
        dtype: xb.dtype,
        pixels: Array.from({ length: xb.shape[0] ?? 0 }, (_, i) => px[i * 12 + 11] ?? Number.NaN),
        labels: Array.from(yb.dataSync()),
        yDtype: yb.dtype,
      });
      tf.dispose([xb, yb]);
    }
    expect(got.map((g) => g.shape)).toEqual([
      [2, 2, 2, 3],
      [2, 2, 2, 3],
      [1, 2, 2, 3],
    ]);
    expect(got.every((g) => g.dtype === "float32" && g.yDtype === "int32")).toBe(true);
    expect(got.map((g) => g.pixels)).toEqual([[10, 11], [12, 13], [14]]);
    expect(got.map((g) => g.labels)).toEqual([[1, 2], [0, 1], [2]]);
  });

  it("supports float targets with a shape, int32 inputs and sync transforms", async () => {
    const dl = DataLoader.fromItems(["a", "bb", "ccc"], {
      itemTfm: (s: string) => ({ x: [s.length, s.charCodeAt(0)], y: new Float32Array([s.length / 2, 1]) }),
      xShape: [2],
      xDtype: "int32",
      yShape: [2],
      yDtype: "float32",
      bs: 3,
    });
    const [xb, yb] = await dl.oneBatch();
    expect([xb.dtype, yb.dtype]).toEqual(["int32", "float32"]);
    expect(xb.arraySync()).toEqual([
      [1, 97],
      [2, 98],
      [3, 99],
    ]);
    expect(yb.arraySync()).toEqual([
      [0.5, 1],
      [1, 1],
      [1.5, 1],
    ]);
    tf.dispose([xb, yb]);
  });

  it("shuffles reproducibly per seed and epoch, every item once", async () => {
    const items = Array.from({ length: 23 }, (_, i) => i);
    const ids = async (dl: DataLoader) => {
      const out: number[] = [];
      for await (const [xb, yb] of dl) {
        const px = xb.dataSync();
        for (let i = 0; i < (xb.shape[0] ?? 0); i++) out.push(px[i * 12] ?? -1);
        tf.dispose([xb, yb]);
      }
      return out;
    };
    const a = DataLoader.fromItems(items, { ...imageOpts, bs: 5, shuffle: true, seed: 4 });
    const b = DataLoader.fromItems(items, { ...imageOpts, bs: 5, shuffle: true, seed: 4, concurrency: 1 });
    const a0 = await ids(a);
    const a1 = await ids(a);
    expect(a0.slice().sort((p, q) => p - q)).toEqual(items);
    expect(a0).not.toEqual(a1);
    expect(await ids(b)).toEqual(a0);
    expect(await ids(b)).toEqual(a1);
  });

  it("gives each item a stream fixed by (seed, epoch, index), whatever the concurrency", async () => {
    const draw = (item: number, ctx: ItemContext) =>
      tick().then(() => ({ x: [ctx.rng.uniform(), ctx.index, ctx.epoch, +ctx.training], y: item }));
    const run = async (concurrency: number, training: boolean) => {
      const dl = DataLoader.fromItems([0, 1, 2, 3, 4, 5], {
        itemTfm: draw,
        xShape: [4],
        bs: 3,
        seed: 11,
        concurrency,
        training,
      });
      const epochs: number[][][] = [];
      for (let e = 0; e < 2; e++) {
        const rows: number[][] = [];
        for await (const [xb, yb] of dl) {
          rows.push(...(xb.arraySync() as number[][]));
          tf.dispose([xb, yb]);
        }
        epochs.push(rows);
      }
      return epochs;
    };
    const serial = await run(1, true);
    const parallel = await run(6, true);
    expect(parallel).toEqual(serial);
    const [e0, e1] = serial as [number[][], number[][]];
    expect(e0.map((r) => r.slice(1))).toEqual([0, 1, 2, 3, 4, 5].map((i) => [i, 0, 1]));
    expect(e1.map((r) => r[2])).toEqual([1, 1, 1, 1, 1, 1]);
    expect(new Set(e0.map((r) => r[0])).size).toBe(6);
    expect(e0.map((r) => r[0])).not.toEqual(e1.map((r) => r[0]));
    expect((await run(2, false))[0]?.map((r) => r[3])).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("starts preparing batch i+1 before batch i is consumed (prefetch 1) and not with prefetch 0", async () => {
    const order = async (prefetch: number) => {
      const log: string[] = [];
      const dl = DataLoader.fromItems([0, 1, 2, 3, 4, 5], {
        itemTfm: async (item: number) => {
          log.push(`start ${item}`);
          await tick();
          log.push(`end ${item}`);
          return { x: [item], y: 0 };
        },
        xShape: [1],
        bs: 2,
        prefetch,
      });
      let b = 0;
      for await (const batch of dl) {
        log.push(`consume ${b++}`);
        tf.dispose(batch);
      }
      return log;
    };
    const ahead = await order(1);
    expect(ahead.indexOf("start 2")).toBeLessThan(ahead.indexOf("consume 0"));
    expect(ahead.indexOf("start 4")).toBeLessThan(ahead.indexOf("consume 1"));
    expect(ahead.indexOf("start 4")).toBeGreaterThan(ahead.indexOf("consume 0"));
    const twoAhead = await order(2);
    expect(twoAhead.indexOf("start 4")).toBeLessThan(twoAhead.indexOf("consume 0"));
    const onDemand = await order(0);
    expect(onDemand.indexOf("start 2")).toBeGreaterThan(onDemand.indexOf("consume 0"));
  });

  it("runs at most `concurrency` transforms at once, across prefetched batches", async () => {
    let running = 0;
    let peak = 0;
    const dl = DataLoader.fromItems(
      Array.from({ length: 20 }, (_, i) => i),
      {
        itemTfm: async (item: number) => {
          running++;
          peak = Math.max(peak, running);
          await tick();
          await tick();
          running--;
          return { x: [item], y: 0 };
        },
        xShape: [1],
        bs: 4,
        prefetch: 2,
        concurrency: 3,
      },
    );
    for await (const batch of dl) tf.dispose(batch);
    expect(peak).toBe(3);
  });

  it("an item transform error names the item, keeps the cause, leaks nothing, leaves nothing unhandled", async () => {
    const boom = new Error("corrupt JPEG");
    const dl = DataLoader.fromItems(["ok-0.jpg", "ok-1.jpg", "ok-2.jpg", "bad.jpg", "ok-4.jpg"], {
      itemTfm: async (file: string) => {
        if (file === "bad.jpg") throw boom;
        await tick();
        return { x: [1], y: 0 };
      },
      xShape: [1],
      bs: 2,
      prefetch: 1,
    });
    const before = tf.memory().numTensors;
    let consumed = 0;
    const error = await (async () => {
      try {
        for await (const batch of dl) {
          consumed++;
          tf.dispose(batch);
          // The failing batch is being prefetched now: give its rejection time to go unhandled.
          await new Promise((r) => setTimeout(r, 30));
        }
      } catch (e) {
        return e;
      }
    })();
    expect(consumed).toBe(1);
    expect(error).toBeInstanceOf(ItemTransformError);
    expect(error).toMatchObject({ index: 3, item: "bad.jpg", cause: boom });
    expect((error as Error).message).toBe("item 3 (bad.jpg): itemTfm threw: corrupt JPEG");
    expect(tf.memory().numTensors).toBe(before);
    await new Promise((r) => setTimeout(r, 10));
    expect(unhandled).toEqual([]);
  });

  it("a sample of the wrong size is an error naming the item and the sizes", async () => {
    const wrong = (sample: unknown, extra: object = {}) =>
      DataLoader.fromItems([{ id: 7, path: "x.png" }], {
        itemTfm: () => sample as ItemSample,
        xShape: [2, 2],
        bs: 1,
        ...extra,
      }).oneBatch();
    await expect(wrong({ x: [1, 2, 3], y: 0 })).rejects.toThrow(
      'item 0 ({"id":7,"path":"x.png"}): itemTfm returned x of length 3, expected 4 (xShape [2,2])',
    );
    await expect(wrong({ x: [1, 2, 3, 4], y: 0.5 })).rejects.toThrow(
      /y = 0.5, expected an integer class index/,
    );
    await expect(wrong({ x: [1, 2, 3, 4], y: [1, 2] }, { yShape: [3] })).rejects.toThrow(
      /y of length 2, expected 3 \(yShape \[3\]\)/,
    );
    await expect(wrong({ x: [1, 2, 3, 4], y: 1 }, { yShape: [3] })).rejects.toThrow(
      /a number y, expected 3 values/,
    );
    await expect(wrong(undefined)).rejects.toThrow(/itemTfm must return \{ x, y \}, got undefined/);
    await expect(wrong({ x: [1, 2, 3, 4], y: [1, 2] }, { yShape: [3] })).rejects.toBeInstanceOf(
      ItemTransformError,
    );
  });

  it("on break, waits for the prefetched batch, aborts pending work and frees it", async () => {
    let aborted = 0;
    const started: number[] = [];
    const dl = DataLoader.fromItems([0, 1, 2, 3, 4, 5, 6, 7], {
      itemTfm: async (item: number, ctx: ItemContext) => {
        started.push(item);
        if (item >= 2) {
          // Batch 1 and later: a slow decode that ends when the loop stops.
          await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve()));
          aborted++;
        }
        return { x: [item], y: 0 };
      },
      xShape: [1],
      bs: 2,
      prefetch: 1,
      concurrency: 2,
    });
    const before = tf.memory().numTensors;
    for await (const batch of dl) {
      tf.dispose(batch);
      break;
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(aborted).toBe(2);
    // Items 4+ (batch 2) were never started: the iteration stopped first.
    expect(started.sort()).toEqual([0, 1, 2, 3]);
  });

  it("frees a prefetched batch that was already complete when the loop throws", async () => {
    const dl = DataLoader.fromItems([0, 1, 2, 3, 4, 5], { ...imageOpts, bs: 2, prefetch: 2 });
    const before = tf.memory().numTensors;
    await expect(async () => {
      for await (const batch of dl) {
        tf.dispose(batch);
        await new Promise((r) => setTimeout(r, 20)); // both prefetched batches finish meanwhile
        throw new Error("cancelled");
      }
    }).rejects.toThrow("cancelled");
    expect(tf.memory().numTensors).toBe(before);
  });

  it("rejects bad pipeline options with named errors", () => {
    expect(() => DataLoader.fromItems([], imageOpts)).toThrow(/items must be a non-empty array, got \[\]/);
    expect(() => DataLoader.fromItems([1], { ...imageOpts, xShape: [2, 0] })).toThrow(
      /xShape must be an array of positive integers, got \[2,0\]/,
    );
    expect(() => DataLoader.fromItems([1], { ...imageOpts, concurrency: 0 })).toThrow(
      /concurrency must be a positive integer, got 0/,
    );
    expect(() => DataLoader.fromItems([1], { ...imageOpts, itemTfm: undefined as never })).toThrow(DataError);
  });
});

describe("Limiter", () => {
  it("starts tasks synchronously while slots are free and hands slots over in FIFO order", async () => {
    const limiter = new Limiter(2);
    const log: string[] = [];
    const gates: Array<() => void> = [];
    const task = (name: string) => () => {
      log.push(name);
      return new Promise<void>((resolve) => gates.push(resolve));
    };
    const all = ["a", "b", "c", "d"].map((n) => limiter.run(task(n)));
    expect(log).toEqual(["a", "b"]);
    expect(limiter.active).toBe(2);
    gates[1]?.();
    await tick();
    expect(log).toEqual(["a", "b", "c"]);
    const failing = limiter
      .run(() => {
        throw new Error("sync throw");
      })
      .catch((e: Error) => e.message);
    gates[0]?.();
    gates[2]?.();
    await tick();
    gates[3]?.();
    expect(await failing).toBe("sync throw");
    await Promise.all(all);
    expect(log).toEqual(["a", "b", "c", "d"]);
    expect(limiter.active).toBe(0);
  });
});
