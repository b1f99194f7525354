import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeImage, imageSize, type RawImage } from "./decode.js";
import { ImageDecodeError, TransformArgumentError } from "./errors.js";
import { IMAGENET_STATS, normalizeImage } from "./normalize.js";
import { Resize } from "./resize.js";
import { planResize } from "./resize-plan.js";
import { samplePhotos } from "./test-images.js";

/** mulberry32: a tiny seeded generator, so crops are reproducible in the tests. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The image resized to exactly width × height with sharp: what a crop window must be cut from. */
async function resizedTo(file: string, width: number, height: number): Promise<RawImage> {
  const { data, info } = await sharp(file)
    .autoOrient()
    .resize(width, height, { fit: "fill" })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

/**
 * Checks a resize size against its definition: one side equals the target (crop: the short side,
 * pad: the long side), the other keeps the aspect ratio within rounding.
 * (sharp's own "outside"/"inside" fits are not the reference: with JPEG shrink-on-load they can be 1 px off.)
 */
function expectAspectKept(
  rw: number,
  rh: number,
  srcW: number,
  srcH: number,
  w: number,
  h: number,
  fit: "cover" | "inside",
) {
  if (fit === "cover") expect(rw >= w && rh >= h && (rw === w || rh === h)).toBe(true);
  else expect(rw <= w && rh <= h && (rw === w || rh === h)).toBe(true);
  expect(Math.abs(rw - (rh * srcW) / srcH)).toBeLessThanOrEqual(1);
  expect(Math.abs(rh - (rw * srcH) / srcW)).toBeLessThanOrEqual(1);
}

function window(img: RawImage, left: number, top: number, width: number, height: number): Buffer {
  const out = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    img.data.copy(
      out,
      y * width * 3,
      ((top + y) * img.width + left) * 3,
      ((top + y) * img.width + left + width) * 3,
    );
  }
  return out;
}

const rowsOf = (img: RawImage, from: number, to: number) =>
  img.data.subarray(from * img.width * 3, to * img.width * 3);

let photos: string[];
let cleanup: () => Promise<void>;
let scratch: string;
beforeAll(async () => {
  const sample = await samplePhotos();
  photos = sample.files;
  cleanup = sample.cleanup;
  scratch = await mkdtemp(join(tmpdir(), "sched-resize-"));
});
afterAll(async () => {
  await cleanup();
  await rm(scratch, { recursive: true, force: true });
});

describe("Resize on real photos", () => {
  it("gives every image the requested [height, width] with 3 channels, for every method", async () => {
    expect(photos.length).toBeGreaterThanOrEqual(6);
    for (const method of ["crop", "pad", "squish"] as const) {
      for (const size of [64, [48, 80]] as const) {
        const tfm = Resize(size, { method });
        const [h, w] = typeof size === "number" ? [size, size] : size;
        for (const file of photos) {
          const img = await tfm.apply(file, { training: true, rng: seeded(1) });
          expect([img.height, img.width, img.channels, img.data.length]).toEqual([h, w, 3, h * w * 3]);
        }
      }
    }
  });

  it("validation crop is the centre of the short-side-resized image", async () => {
    const tfm = Resize([64, 72]);
    for (const file of photos) {
      const { width, height } = await imageSize(file);
      const plan = tfm.plan(width, height, { training: false });
      expectAspectKept(plan.resizeWidth, plan.resizeHeight, width, height, 72, 64, "cover");
      const full = await resizedTo(file, plan.resizeWidth, plan.resizeHeight);
      const left = Math.floor((full.width - 72) / 2);
      const top = Math.floor((full.height - 64) / 2);
      const img = await tfm.apply(file, { training: false });
      expect(Buffer.compare(img.data, window(full, left, top, 72, 64)), basename(file)).toBe(0);
    }
  });

  it("training crop is a window of the resized image, reproducible from the rng seed", async () => {
    const tfm = Resize(64);
    let moved = 0;
    for (const file of photos) {
      const { width, height } = await imageSize(file);
      const plan = tfm.plan(width, height, { training: true, rng: seeded(42) });
      if (plan.method !== "crop") throw new Error("expected a crop plan");
      expectAspectKept(plan.resizeWidth, plan.resizeHeight, width, height, 64, 64, "cover");
      const full = await resizedTo(file, plan.resizeWidth, plan.resizeHeight);

      const a = await tfm.apply(file, { training: true, rng: seeded(42) });
      const b = await tfm.apply(file, { training: true, rng: seeded(42) });
      expect(Buffer.compare(a.data, b.data)).toBe(0);
      expect(Buffer.compare(a.data, window(full, plan.left, plan.top, 64, 64)), basename(file)).toBe(0);

      const centre = await tfm.apply(file, { training: false });
      if (Buffer.compare(a.data, centre.data) !== 0) moved++;
    }
    // Every photo here is non-square, so a random window almost always differs from the centre.
    expect(moved).toBeGreaterThan(photos.length / 2);
  });

  it("pad letterboxes with black bars around the fitted image", async () => {
    const tfm = Resize(64, { method: "pad" });
    for (const file of photos) {
      const { width, height } = await imageSize(file);
      if (width === height) continue;
      const plan = tfm.plan(width, height, { training: false });
      expectAspectKept(plan.resizeWidth, plan.resizeHeight, width, height, 64, 64, "inside");
      const {
        data: inner,
        width: iw,
        height: ih,
      } = await resizedTo(file, plan.resizeWidth, plan.resizeHeight);
      const info = { width: iw, height: ih };
      const left = Math.floor((64 - info.width) / 2);
      const top = Math.floor((64 - info.height) / 2);
      const img = await tfm.apply(file);
      expect(Buffer.compare(window(img, left, top, info.width, info.height), inner), basename(file)).toBe(0);
      if (width > height) {
        expect(top).toBeGreaterThan(0);
        expect(rowsOf(img, 0, top).every((v) => v === 0)).toBe(true);
        expect(rowsOf(img, top + info.height, 64).every((v) => v === 0)).toBe(true);
      } else {
        expect(left).toBeGreaterThan(0);
        for (let y = 0; y < 64; y++) {
          const row = img.data.subarray(y * 64 * 3, (y + 1) * 64 * 3);
          expect(row.subarray(0, left * 3).every((v) => v === 0)).toBe(true);
          expect(row.subarray((left + info.width) * 3).every((v) => v === 0)).toBe(true);
        }
      }
    }
  });

  it("decodes to the same bytes as sharp, and normalises with ImageNet stats at a known pixel", async () => {
    const file = photos[0] as string;
    const img = await decodeImage(file);
    const { data, info } = await sharp(file)
      .autoOrient()
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([img.width, img.height]).toEqual([info.width, info.height]);
    expect(Buffer.compare(img.data, data)).toBe(0);

    const x = Math.floor(info.width / 3);
    const y = Math.floor(info.height / 2);
    const floats = normalizeImage(img);
    expect(floats).toHaveLength(info.width * info.height * 3);
    for (let c = 0; c < 3; c++) {
      const raw = data[(y * info.width + x) * 3 + c] as number;
      const expected = (raw / 255 - (IMAGENET_STATS.mean[c] as number)) / (IMAGENET_STATS.std[c] as number);
      expect(floats[(y * info.width + x) * 3 + c]).toBeCloseTo(expected, 6);
    }
  });
});

describe("Resize methods on a striped image", () => {
  // 400 × 100: red in the left 40 columns, blue in the right 40, green between.
  let striped: string;
  beforeAll(async () => {
    const width = 400;
    const height = 100;
    const data = Buffer.alloc(width * height * 3);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const o = (y * width + x) * 3;
        if (x < 40) data[o] = 255;
        else if (x >= 360) data[o + 2] = 255;
        else data[o + 1] = 255;
      }
    }
    striped = join(scratch, "striped.png");
    await sharp(data, { raw: { width, height, channels: 3 } })
      .png()
      .toFile(striped);
  });

  // Resampling rings a little at hard edges: compare colours within a few levels.
  const pixel = (img: RawImage, x: number, y: number) =>
    [...img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)].map(
      (v) => Math.round(v / 16) * 16,
    );

  it("squish keeps the whole width: red at the left edge, blue at the right", async () => {
    const img = await Resize(32, { method: "squish" }).apply(striped);
    expect(pixel(img, 0, 16)).toEqual([256, 0, 0]);
    expect(pixel(img, 31, 16)).toEqual([0, 0, 256]);
    expect(pixel(img, 16, 16)).toEqual([0, 256, 0]);
  });

  it("a centre crop cuts both ends away", async () => {
    const img = await Resize(32).apply(striped, { training: false });
    expect(pixel(img, 0, 16)).toEqual([0, 256, 0]);
    expect(pixel(img, 31, 16)).toEqual([0, 256, 0]);
  });

  it("a training crop with rng → 0 starts at the left edge", async () => {
    const img = await Resize(32).apply(striped, { training: true, rng: () => 0 });
    expect(pixel(img, 0, 16)).toEqual([256, 0, 0]);
  });

  it("pad modes fill the bars with black, the border colour, or its mirror", async () => {
    // 400 × 100 → 32 × 8 centred in 32 × 32: 12 rows above, 12 below.
    const zeros = await Resize(32, { method: "pad" }).apply(striped);
    expect(pixel(zeros, 16, 0)).toEqual([0, 0, 0]);
    expect(pixel(zeros, 16, 16)).toEqual([0, 256, 0]);
    const border = await Resize(32, { method: "pad", padMode: "border" }).apply(striped);
    expect(pixel(border, 16, 0)).toEqual([0, 256, 0]);
    expect(pixel(border, 0, 31)).toEqual([256, 0, 0]);
    const reflection = await Resize(32, { method: "pad", padMode: "reflection" }).apply(striped);
    expect(pixel(reflection, 16, 2)).toEqual([0, 256, 0]);
    expect(Buffer.compare(rowsOf(border, 0, 12), rowsOf(zeros, 0, 12))).not.toBe(0);
  });
});

describe("decoding any input to 3-channel RGB", () => {
  it("expands greyscale, drops alpha, reduces 16-bit", async () => {
    const grey = await sharp({
      create: { width: 5, height: 4, channels: 3, background: { r: 90, g: 90, b: 90 } },
    })
      .greyscale()
      .png()
      .toBuffer();
    const rgba = await sharp({
      create: { width: 5, height: 4, channels: 4, background: { r: 200, g: 100, b: 50, alpha: 0.5 } },
    })
      .png()
      .toBuffer();
    const deep = await sharp({
      create: { width: 5, height: 4, channels: 3, background: { r: 200, g: 100, b: 50 } },
    })
      .toColourspace("rgb16")
      .png()
      .toBuffer();
    expect((await sharp(rgba).metadata()).channels).toBe(4);
    expect((await sharp(deep).metadata()).depth).toBe("ushort");
    for (const [input, rgb] of [
      [grey, [90, 90, 90]],
      [rgba, [200, 100, 50]],
      [deep, [200, 100, 50]],
    ] as const) {
      const img = await decodeImage(input);
      expect([img.width, img.height, img.channels, img.data.length]).toEqual([5, 4, 3, 5 * 4 * 3]);
      expect([...img.data.subarray(0, 3)]).toEqual(rgb);
      const small = await Resize([2, 3], { method: "squish" }).apply(input);
      expect(small.data.length).toBe(2 * 3 * 3);
    }
  });

  it("applies EXIF orientation before planning: a 40×20 image tagged 'rotate 90°' is 20 wide, 40 tall", async () => {
    const data = Buffer.alloc(40 * 20 * 3);
    for (let i = 0; i < 40 * 3; i++) data[i] = 255; // top row white
    const file = join(scratch, "rotated.jpg");
    await sharp(data, { raw: { width: 40, height: 20, channels: 3 } })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toFile(file);
    expect(await imageSize(file)).toEqual({ width: 20, height: 40 });
    const tfm = Resize([40, 20]);
    const plan = tfm.plan(20, 40, { training: false });
    expect(plan).toMatchObject({ resizeWidth: 20, resizeHeight: 40, left: 0, top: 0 });
    const img = await tfm.apply(file);
    const { data: upright } = await sharp(file).autoOrient().raw().toBuffer({ resolveWithObject: true });
    expect(Buffer.compare(img.data, upright)).toBe(0);
  });
});

describe("errors", () => {
  it("names a truncated JPEG, a text file called .jpg, and a missing file", async () => {
    const real = await readFile(photos[0] as string);
    const truncated = join(scratch, "truncated.jpg");
    await writeFile(truncated, real.subarray(0, Math.floor(real.length / 2)));
    const text = join(scratch, "notes.jpg");
    await writeFile(text, "this is not an image\n");
    const missing = join(scratch, "missing.jpg");
    for (const [file, cause] of [
      [truncated, /premature end|truncated/i],
      [text, /unsupported image format/],
      [missing, /missing/],
    ] as const) {
      const err = await Resize(64)
        .apply(file)
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImageDecodeError);
      expect((err as ImageDecodeError).file).toBe(file);
      expect((err as Error).message).toContain(`Cannot decode image ${file}: `);
      expect((err as Error).message).toMatch(cause);
    }
    await expect(decodeImage(Buffer.from("nope"))).rejects.toThrow("Cannot decode image <buffer of 4 bytes>");
  });

  it("rejects bad Resize arguments and a bad rng with messages naming them", () => {
    expect(() => Resize(0)).toThrow(TransformArgumentError);
    expect(() => Resize(3.5)).toThrow(/size must be a positive integer or \[height, width\].*got 3\.5/);
    expect(() => Resize([64] as unknown as [number, number])).toThrow(/got \[64\]/);
    expect(() => Resize(64, { method: "zoom" as "crop" })).toThrow(
      'Resize: method must be one of crop, pad, squish, got "zoom"',
    );
    expect(() => Resize(64, { method: "pad", padMode: "wrap" as "zeros" })).toThrow(
      /padMode must be one of .*"wrap"/,
    );
    expect(() => Resize(64).plan(100, 50, { training: true, rng: () => 1 })).toThrow(
      "Resize: ctx.rng() must return a number in [0, 1), got 1",
    );
  });
});

describe("planResize geometry", () => {
  it("crop: short side to the target, centre rounded down, training offsets cover every position", () => {
    expect(planResize(500, 333, [64, 64], "crop", { training: false })).toEqual({
      method: "crop",
      width: 64,
      height: 64,
      resizeWidth: 96,
      resizeHeight: 64,
      left: 16,
      top: 0,
    });
    expect(planResize(500, 333, [64, 64], "crop", { training: true, rng: () => 0 })).toMatchObject({
      left: 0,
    });
    expect(planResize(500, 333, [64, 64], "crop", { training: true, rng: () => 0.9999 })).toMatchObject({
      left: 32,
    });
  });

  it("pad: fit inside, bars split with the odd pixel at the bottom/right", () => {
    expect(planResize(500, 333, [64, 64], "pad", { training: true })).toEqual({
      method: "pad",
      width: 64,
      height: 64,
      resizeWidth: 64,
      resizeHeight: 43,
      left: 0,
      right: 0,
      top: 10,
      bottom: 11,
    });
  });
});
