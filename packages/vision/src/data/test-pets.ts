/**
 * Pet photos for the data-loader and learner tests: the 49 Oxford-IIIT Pet photos in
 * `<repo>/../shared/data/oxford-pets-sample` (cats/ and dogs/, Oxford naming: capitalised breed =
 * cat). Without that folder (or with SCHED_TEST_GENERATED_IMAGES=1), JPEGs generated with sharp in
 * the same naming scheme and layout. Test-only (excluded from the build).
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { getImageFiles } from "../files.js";
import { SHARED_DATA } from "../transforms/test-images.js";

/**
 * Timeout of a test that trains a ResNet: a few seconds on the native backend, many minutes on the
 * pure-JS cpu backend (about 100× slower), so forced cpu/wasm runs get a long one.
 */
export const RESNET_TEST_TIMEOUT =
  process.env.SCHED_TF_BACKEND && process.env.SCHED_TF_BACKEND !== "tensorflow" ? 3_600_000 : 300_000;

/** The reference's label function: a capitalised file name is a cat. */
export const isCat = (name: string): boolean => name[0] === name[0]?.toUpperCase();

const CATS = ["Abyssinian", "Bengal", "Birman", "Bombay", "Persian", "Siamese"];
const DOGS = ["beagle", "boxer", "chihuahua", "havanese", "pug", "samoyed", "shiba_inu"];

/** A photo-like JPEG: two gradients, a bright disc (cats) or square (dogs), and seeded noise. */
async function writePhoto(file: string, width: number, height: number, seed: number, cat: boolean) {
  const data = Buffer.alloc(width * height * 3);
  let s = seed >>> 0;
  const [cx, cy, r] = [width * 0.5, height * 0.45, Math.min(width, height) * 0.25];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const o = (y * width + x) * 3;
      const inside = cat
        ? (x - cx) ** 2 + (y - cy) ** 2 < r * r
        : Math.abs(x - cx) < r && Math.abs(y - cy) < r;
      data[o] = inside ? 230 : Math.floor((200 * x) / width);
      data[o + 1] = inside ? (cat ? 180 : 60) : Math.floor((200 * y) / height);
      data[o + 2] = (s >>> 24) & 0x7f;
    }
  }
  await sharp(data, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toFile(file);
}

async function generate(dir: string): Promise<string[]> {
  const sizes: Array<[number, number]> = [
    [300, 225],
    [200, 300],
    [256, 256],
    [320, 200],
  ];
  let i = 0;
  for (const [folder, breeds, cat] of [
    ["cats", CATS, true],
    ["dogs", DOGS, false],
  ] as const) {
    await mkdir(join(dir, folder));
    for (const breed of breeds) {
      for (const n of [1, 2]) {
        const [w, h] = sizes[i % sizes.length] as [number, number];
        await writePhoto(join(dir, folder, `${breed}_${n}.jpg`), w, h, 77 + i, cat);
        i++;
      }
    }
  }
  return getImageFiles(dir);
}

/** The pet photos to test on: their folder, the files (sorted), where they came from, and a cleanup. */
export async function petPhotos(): Promise<{
  path: string;
  files: string[];
  source: "shared" | "generated";
  cleanup: () => Promise<void>;
}> {
  const shared = join(SHARED_DATA, "oxford-pets-sample");
  if (process.env.SCHED_TEST_GENERATED_IMAGES !== "1" && existsSync(shared)) {
    return { path: shared, files: await getImageFiles(shared), source: "shared", cleanup: async () => {} };
  }
  const dir = await mkdtemp(join(tmpdir(), "sched-pets-"));
  return {
    path: dir,
    files: await generate(dir),
    source: "generated",
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
