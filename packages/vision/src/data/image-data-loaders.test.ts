import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import {
  crossEntropyLoss,
  DataError,
  type DataLoader,
  ItemTransformError,
  initBackend,
} from "@sched/learner";
import { expectNoLeaks } from "@sched/learner/testing";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImageDecodeError } from "../transforms/errors.js";
import { IMAGENET_STATS, normalizeImage } from "../transforms/normalize.js";
import { Resize } from "../transforms/resize.js";
import { ImageDataLoaders } from "./image-data-loaders.js";
import { isCat, petPhotos } from "./test-pets.js";

let path: string;
let files: string[];
let cleanup: () => Promise<void>;
let scratch: string;

beforeAll(async () => {
  await initBackend();
  ({ path, files, cleanup } = await petPhotos());
  scratch = await mkdtemp(join(tmpdir(), "sched-idl-"));
});

afterAll(async () => {
  await cleanup();
  await rm(scratch, { recursive: true, force: true });
});

/** Every batch of one pass, as plain arrays (tensors disposed). */
async function drain(
  dl: DataLoader,
): Promise<Array<{ x: Float32Array; xShape: number[]; y: number[]; yDtype: string }>> {
  const out = [];
  for await (const [xb, yb] of dl) {
    out.push({
      x: xb.dataSync() as Float32Array,
      xShape: xb.shape,
      y: Array.from(yb.dataSync()),
      yDtype: yb.dtype,
    });
    tf.dispose([xb, yb]);
  }
  return out;
}

describe("ImageDataLoaders.fromNameFunc", () => {
  it("labels each file by its name, with a sorted vocabulary, and splits validPct of the files", async () => {
    const seen: string[] = [];
    const dls = await ImageDataLoaders.fromNameFunc(
      path,
      files,
      (name) => {
        seen.push(name);
        return isCat(name);
      },
      { itemTfms: [Resize(32)], bs: 8, seed: 1 },
    );
    expect(seen.sort()).toEqual(files.map((f) => basename(f)).sort());
    expect(dls.vocab).toEqual([false, true]);
    expect(dls.c).toBe(2);
    expect(dls.path).toBe(path);
    expect(dls.lossFunc).toBe(crossEntropyLoss);
    const nValid = Math.floor(0.2 * files.length);
    expect(dls.validFiles).toHaveLength(nValid);
    expect(dls.trainFiles).toHaveLength(files.length - nValid);
    expect(new Set([...dls.trainFiles, ...dls.validFiles])).toEqual(new Set(files));
    // The valid loader keeps file order: its labels are the files' labels, in order.
    const ys = (await drain(dls.valid)).flatMap((b) => b.y);
    expect(ys).toEqual(dls.validFiles.map((f) => (isCat(basename(f)) ? 1 : 0)));
    dls.dispose();
  });

  it("splits the same way for the same seed, differently for another", async () => {
    const opts = { itemTfms: [Resize(32)], validPct: 0.3 };
    const a = await ImageDataLoaders.fromNameFunc(path, files, isCat, { ...opts, seed: 7 });
    const b = await ImageDataLoaders.fromNameFunc(path, files, isCat, { ...opts, seed: 7 });
    const c = await ImageDataLoaders.fromNameFunc(path, files, isCat, { ...opts, seed: 8 });
    expect(a.validFiles).toEqual(b.validFiles);
    expect(a.trainFiles).toEqual(b.trainFiles);
    expect(a.seed).toBe(7);
    expect(c.validFiles).not.toEqual(a.validFiles);
    expect(a.validFiles).toHaveLength(Math.floor(0.3 * files.length));
    const unseeded = await ImageDataLoaders.fromNameFunc(path, files, isCat, opts);
    expect(Number.isInteger(unseeded.seed)).toBe(true);
    for (const d of [a, b, c, unseeded]) d.dispose();
  });

  it("yields NHWC float32 batches, ImageNet-normalised, with int32 labels; last batch partial", async () => {
    const bs = 8;
    const dls = await ImageDataLoaders.fromNameFunc(path, files, isCat, {
      itemTfms: [Resize(32)],
      bs,
      seed: 3,
    });
    const batches = await expectNoLeaks(() => drain(dls.valid));
    const nValid = dls.validFiles.length;
    expect(batches.map((b) => b.xShape[0])).toEqual(
      Array.from({ length: Math.ceil(nValid / bs) }, (_, i) => Math.min(bs, nValid - i * bs)),
    );
    expect(batches[0]?.xShape).toEqual([Math.min(bs, nValid), 32, 32, 3]);
    expect(batches[0]?.yDtype).toBe("int32");
    // Validation uses the centre crop: each row is exactly Resize(32) + ImageNet normalisation of its file.
    const rows = batches.flatMap((b) =>
      Array.from({ length: b.xShape[0] as number }, (_, i) => b.x.subarray(i * 3072, (i + 1) * 3072)),
    );
    for (const [i, file] of dls.validFiles.entries()) {
      const expected = normalizeImage(await Resize(32).apply(file, { training: false }), IMAGENET_STATS);
      expect(Buffer.from((rows[i] as Float32Array).slice().buffer).equals(Buffer.from(expected.buffer))).toBe(
        true,
      );
    }
    // Normalised values: a black pixel is -mean/std, a white one (1 - mean)/std.
    const { mean, std } = IMAGENET_STATS;
    const lo = Math.min(...mean.map((m, c) => -m / (std[c] as number)));
    const hi = Math.max(...mean.map((m, c) => (1 - m) / (std[c] as number)));
    const all = batches.flatMap((b) => Array.from(b.x));
    expect(Math.min(...all)).toBeGreaterThanOrEqual(lo - 1e-6);
    expect(Math.max(...all)).toBeLessThanOrEqual(hi + 1e-6);
    const train = await drain(dls.train);
    expect(train.reduce((a, b) => a + (b.xShape[0] as number), 0)).toBe(dls.trainFiles.length);
    dls.dispose();
  });

  it("crops training images at random positions fixed by the seed", async () => {
    const make = (seed: number) =>
      ImageDataLoaders.fromNameFunc(path, files, isCat, { itemTfms: [Resize(48)], bs: 4, seed });
    const [a, b, c] = [await make(11), await make(11), await make(12)];
    const first = async (d: ImageDataLoaders) => {
      const [xb, yb] = await d.train.oneBatch();
      const x = Buffer.from((xb.dataSync() as Float32Array).buffer);
      tf.dispose([xb, yb]);
      return x;
    };
    expect((await first(a)).equals(await first(b))).toBe(true);
    expect((await first(a)).equals(await first(c))).toBe(false);
    // The same files in training and validation differ (random crop vs centre crop) for non-square photos.
    expect(a.train.training).toBe(true);
    expect(a.valid.training).toBe(false);
    for (const d of [a, b, c]) d.dispose();
  });

  it("labels by folder with fromParentFolder, by full path with fromPathFunc", async () => {
    const byFolder = await ImageDataLoaders.fromParentFolder(path, files, {
      itemTfms: [Resize(32)],
      seed: 1,
    });
    expect(byFolder.vocab).toEqual(["cats", "dogs"]);
    const byPath = await ImageDataLoaders.fromPathFunc(path, files, (p) => p.includes("/dogs/"), {
      itemTfms: [Resize(32)],
      seed: 1,
    });
    expect(byPath.vocab).toEqual([false, true]);
    expect(byPath.validFiles).toEqual(byFolder.validFiles);
    byFolder.dispose();
    byPath.dispose();
  });

  it("rejects bad arguments with a DataError naming them", async () => {
    const call = (opts: object, fs: unknown = files, fn: unknown = isCat) =>
      ImageDataLoaders.fromNameFunc(path, fs as string[], fn as (n: string) => boolean, opts);
    await expect(call({}, [])).rejects.toThrow(
      new DataError("files must be a non-empty array of file paths, got []"),
    );
    await expect(call({ itemTfms: [Resize(32), Resize(16)] })).rejects.toThrow(
      /itemTfms must hold exactly one/,
    );
    await expect(call({ itemTfms: [] })).rejects.toThrow(/itemTfms must hold exactly one/);
    await expect(call({ onBadImage: "ignore" })).rejects.toThrow(
      'onBadImage must be "error" or "skip", got "ignore"',
    );
    await expect(call({ validPct: 1.5 })).rejects.toThrow("validPct must be a number in (0, 1), got 1.5");
    await expect(call({}, files, () => undefined)).rejects.toThrow(
      /labelFunc must return a string, a finite number or a boolean; got undefined for .*\.jpg/,
    );
    await expect(call({}, files, (n: string) => (isCat(n) ? "cat" : 0))).rejects.toThrow(
      "labelFunc must return labels of one type, got number and string",
    );
  });
});

describe("unreadable files", () => {
  let folder: string;
  let good: string[];
  let bad: string[];

  beforeAll(async () => {
    folder = await mkdtemp(join(scratch, "bad-"));
    good = [];
    for (const f of files.slice(0, 12)) {
      const dest = join(folder, basename(f));
      await copyFile(f, dest);
      good.push(dest);
    }
    const text = join(folder, "Broken_1.jpg");
    await writeFile(text, "this is not an image\n");
    const truncated = join(folder, "beagle_999.jpg");
    const bytes = await readFile(files[0] as string);
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    bad = [text, truncated];
  });

  it('fail the batch that holds them with an error naming the file (onBadImage: "error")', async () => {
    for (const badFile of bad) {
      const dls = await ImageDataLoaders.fromNameFunc(folder, [...good, badFile], isCat, {
        itemTfms: [Resize(32)],
        bs: 4,
        seed: 1,
      });
      const loader = dls.trainFiles.includes(badFile) ? dls.train : dls.valid;
      const error = await expectNoLeaks(() => drain(loader).catch((e: unknown) => e));
      expect(error).toBeInstanceOf(ItemTransformError);
      expect((error as Error).message).toContain(
        `(${badFile}): itemTfm threw: Cannot decode image ${badFile}:`,
      );
      expect((error as Error).cause).toBeInstanceOf(ImageDecodeError);
      expect(((error as Error).cause as ImageDecodeError).file).toBe(badFile);
      dls.dispose();
    }
  });

  it('are left out before the split, with one warning line (onBadImage: "skip")', async () => {
    const warnings: string[] = [];
    const all = [bad[0] as string, ...good, bad[1] as string];
    const dls = await ImageDataLoaders.fromNameFunc(folder, all, isCat, {
      itemTfms: [Resize(32)],
      bs: 4,
      seed: 1,
      onBadImage: "skip",
      warn: (m) => warnings.push(m),
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^ImageDataLoaders: skipped 2 of 14 files that are not readable images/);
    for (const f of bad) expect(warnings[0]).toContain(`Cannot decode image ${f}`);
    expect(dls.skipped.map((s) => s.file)).toEqual(bad);
    expect(new Set([...dls.trainFiles, ...dls.validFiles])).toEqual(new Set(good));
    expect(dls.validFiles).toHaveLength(Math.floor(0.2 * good.length));
    // Only good files remain: every batch loads, full size except the last.
    const sizes = (await drain(dls.train)).map((b) => b.xShape[0]);
    expect(sizes).toEqual([4, 4, 2]);
    dls.dispose();
    // Same split as if the bad files had never been listed.
    const clean = await ImageDataLoaders.fromNameFunc(folder, good, isCat, {
      itemTfms: [Resize(32)],
      seed: 1,
    });
    expect(clean.validFiles).toEqual(dls.validFiles);
    clean.dispose();
    // Nothing to skip: no warning at all.
    const quiet: string[] = [];
    (
      await ImageDataLoaders.fromNameFunc(folder, good, isCat, {
        onBadImage: "skip",
        warn: (m) => quiet.push(m),
      })
    ).dispose();
    expect(quiet).toEqual([]);
  });

  it("skip mode with no readable file at all is an error", async () => {
    await expect(
      ImageDataLoaders.fromNameFunc(folder, bad, isCat, { onBadImage: "skip", warn: () => {} }),
    ).rejects.toThrow("none of the 2 files is a readable image");
  });
});
