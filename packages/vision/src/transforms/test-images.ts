/**
 * Real photos for the transform tests: the Oxford-IIIT Pet sample and scikit-learn's two photos in
 * `<repo>/../shared/data`. When that folder is absent (CI without shared data), generates
 * photo-like JPEGs of similar sizes with sharp instead. Test-only (excluded from the build).
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { getImageFiles } from "../files.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../../..");
/** `<repo>/../shared/data`, where the team's real datasets live. */
export const SHARED_DATA = resolve(REPO, "../shared/data");

/** Sizes like the real sample's (width × height), landscape and portrait. */
const GENERATED_SIZES: Array<[number, number]> = [
  [500, 375],
  [335, 500],
  [233, 715],
  [600, 400],
  [427, 640],
  [640, 427],
];

async function generate(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const [i, [width, height]] of GENERATED_SIZES.entries()) {
    // A smooth gradient plus per-pixel noise: every window differs, like a photo.
    const data = Buffer.alloc(width * height * 3);
    let seed = 1234 + i;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const o = (y * width + x) * 3;
        data[o] = Math.floor((255 * x) / width);
        data[o + 1] = Math.floor((255 * y) / height);
        data[o + 2] = seed >>> 24;
      }
    }
    const file = join(dir, `Generated_${i}.jpg`);
    await sharp(data, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(file);
    files.push(file);
  }
  return files;
}

/** Photos to test on, where they came from, and how to remove generated ones. */
export async function samplePhotos(): Promise<{
  files: string[];
  source: "shared" | "generated";
  cleanup: () => Promise<void>;
}> {
  const pets = join(SHARED_DATA, "oxford-pets-sample");
  const sklearn = join(SHARED_DATA, "sklearn", "images");
  // SCHED_TEST_GENERATED_IMAGES=1 exercises the CI fallback on a machine that has the shared data.
  if (process.env.SCHED_TEST_GENERATED_IMAGES !== "1" && existsSync(pets) && existsSync(sklearn)) {
    const files = [...(await getImageFiles(pets)), ...(await getImageFiles(sklearn))];
    return { files, source: "shared", cleanup: async () => {} };
  }
  const dir = await mkdtemp(join(tmpdir(), "sched-photos-"));
  return {
    files: await generate(dir),
    source: "generated",
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
