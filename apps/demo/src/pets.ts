/**
 * Part 2: the Oxford-IIIT Pet pipeline (fastai lesson 1, cats vs dogs) on an image folder in the Pets
 * naming scheme, where a capitalised file name is a cat. The folder is, in order of preference:
 * the real Oxford Pets dataset (`--pets`, through untarData), the 49 real photos of
 * `<repo>/../shared/data/oxford-pets-sample` when that exists, or images generated here.
 */
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Rng } from "@sched/learner";
import {
  cnnLearner,
  errorRate,
  getImageFiles,
  ImageDataLoaders,
  Resize,
  resnet18,
  untarData,
} from "@sched/vision";
import sharp from "sharp";
import { type ExperimentResult, findThenFit, type Plan, type Print } from "./experiment.js";

/** Where the image folder came from. */
export type ImageSourceKind = "oxford-pets" | "sample" | "generated";

/** An image folder and the files of it the demo trains on. */
export interface ImageSource {
  kind: ImageSourceKind;
  path: string;
  files: string[];
  /** One line for the console and the report: what the images are, and their licence. */
  description: string;
}

/** `<repo>/../shared/data/oxford-pets-sample`: 49 real photos, when the shared data is there. */
export const SHARED_SAMPLE = fileURLToPath(
  new URL("../../../../shared/data/oxford-pets-sample", import.meta.url),
);

/** fastai's Pets label function: a capitalised breed name is a cat. */
export function petLabel(fileName: string): "cat" | "dog" {
  const first = fileName[0] ?? "";
  return first !== first.toLowerCase() && first === first.toUpperCase() ? "cat" : "dog";
}

const CAT_BREEDS = ["Abyssinian", "Bengal", "Birman", "Bombay", "British_Shorthair", "Egyptian_Mau"];
const DOG_BREEDS = ["beagle", "boxer", "chihuahua", "pug", "samoyed", "shiba_inu"];

/**
 * Draws one synthetic "pet": a noisy two-colour background with, for a cat, a bright warm disc and,
 * for a dog, cool diagonal stripes. Position, size and colours vary, so the task is easy but not
 * trivial at 32–64 px. Returns raw RGB.
 */
function drawPet(cat: boolean, width: number, height: number, rng: Rng): Buffer {
  const px = Buffer.alloc(width * height * 3);
  const bg = [rng.int(120), rng.int(120), rng.int(120)];
  const fg = cat
    ? [200 + rng.int(56), 120 + rng.int(80), rng.int(60)]
    : [rng.int(60), 100 + rng.int(80), 200 + rng.int(56)];
  const [cx, cy] = [width * rng.uniform(0.3, 0.7), height * rng.uniform(0.3, 0.7)];
  const r = Math.min(width, height) * rng.uniform(0.2, 0.35);
  const period = 10 + rng.int(10);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inShape = cat ? (x - cx) ** 2 + (y - cy) ** 2 < r * r : (x + y) % period < period / 2;
      const base = inShape ? fg : bg;
      for (let c = 0; c < 3; c++) {
        const v = (base[c] as number) + rng.normal(0, 18);
        px[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return px;
}

/**
 * Writes `perBreed` JPEGs per breed (6 cat and 6 dog breeds) named like Oxford Pets
 * (`Bengal_3.jpg`, `beagle_3.jpg`) into `dir`, deterministically (seeded). The folder is built under a
 * temporary name and renamed into place, so it is never half there.
 */
export async function generatePets(dir: string, perBreed: number, seed = 7): Promise<string[]> {
  const tmp = `${dir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  const rng = new Rng(seed);
  const names: string[] = [];
  for (let i = 1; i <= perBreed; i++) {
    for (const breed of [...CAT_BREEDS, ...DOG_BREEDS]) {
      const [width, height] = [96 + rng.int(64), 96 + rng.int(64)];
      const raw = drawPet(petLabel(breed) === "cat", width, height, rng);
      const name = `${breed}_${i}.jpg`;
      await sharp(raw, { raw: { width, height, channels: 3 } })
        .jpeg({ quality: 90 })
        .toFile(join(tmp, name));
      names.push(name);
    }
  }
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  return names.map((n) => join(dir, n));
}

/** `n` files spread evenly over the sorted list (every breed is represented), or all of them. */
export function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)] as T);
}

/** How the console names each source. */
export const SOURCE_NAMES: Record<ImageSourceKind, string> = {
  "oxford-pets": "Oxford-IIIT Pet (untarData)",
  sample: "Oxford-IIIT Pet sample (real photos)",
  generated: "generated",
};

/** What the results of each source can and cannot show, for the report. */
export const SOURCE_NOTES: Record<ImageSourceKind, string> = {
  sample:
    "40 training photos and no pretrained weights are far too little for a resnet18 to tell cats from " +
    "dogs: expect an error rate near chance (0.5) and a noisy LR-finder curve (the noisy diagnostic says " +
    "so). This part shows the pipeline on real photos (decode, crop, normalise, lrFind, one cycle), " +
    "not accuracy; --pets runs it on the real dataset.",
  generated:
    "Synthetic images (a cat is a warm disc, a dog cool stripes, on noise) stand in for photos: the " +
    "pipeline is the real one and the classes are learnable, but nothing here says anything about photos.",
  "oxford-pets":
    "A few hundred photos and no pretrained weights: fastai's lesson owes its accuracy to ImageNet " +
    "weights, which are not available offline, so expect a much higher error rate than fastai's.",
};

/** The real dataset, fetched (or found in the cache) by untarData; errors propagate (see main). */
export async function oxfordPets(url: string, maxImages: number): Promise<ImageSource> {
  const root = await untarData(url);
  const path = join(root, "images");
  const all = await getImageFiles(path);
  const files = spread(all, maxImages);
  return {
    kind: "oxford-pets",
    path,
    files,
    description: `Oxford-IIIT Pet from ${url} (${files.length} of its ${all.length} image files, evenly spread; CC BY-SA 4.0)`,
  };
}

/** The sample of real photos (default the shared one) when it exists, else a folder generated in `outDir`. */
export async function localPets(
  outDir: string,
  perBreed: number,
  sample = SHARED_SAMPLE,
): Promise<ImageSource> {
  if (existsSync(sample)) {
    const files = await getImageFiles(sample);
    return {
      kind: "sample",
      path: sample,
      files,
      description: `${files.length} real Oxford-IIIT Pet photos from ${sample} (CC BY-SA 4.0)`,
    };
  }
  const path = join(outDir, "generated-pets");
  const files = await generatePets(path, perBreed);
  return {
    kind: "generated",
    path,
    files,
    description: `${files.length} generated images in the Pets naming scheme, in ${path} (no real photos: ${sample} is absent)`,
  };
}

/** Image loaders and a from-scratch resnet18 over `source`, then lrFind and fitOneCycle. */
export async function runPets(
  source: ImageSource,
  plan: Plan,
  opts: { size: number; bs: number },
  print: Print,
): Promise<ExperimentResult> {
  print(`data: ${source.description}`);
  const dls = await ImageDataLoaders.fromNameFunc(source.path, source.files, petLabel, {
    itemTfms: [Resize(opts.size)],
    bs: opts.bs,
    validPct: 0.2,
    seed: 42,
    // The real dataset holds a few files sharp cannot read; leave them out with one warning line.
    onBadImage: source.kind === "oxford-pets" ? "skip" : "error",
    warn: print,
  });
  try {
    const counts = `${dls.trainFiles.length} training and ${dls.validFiles.length} validation images`;
    print(`loaders: ${counts}, labels ${dls.vocab.join("/")}, Resize(${opts.size}) crop, batch ${opts.bs}`);
    const learn = await cnnLearner(dls, resnet18, { metrics: [errorRate], pretrained: false, seed: 42 });
    print("model: resnet18 body + fastai head, from scratch (no pretrained weights offline), Adam");
    try {
      return await findThenFit(learn, plan, print);
    } finally {
      learn.dispose();
    }
  } finally {
    dls.dispose();
  }
}
