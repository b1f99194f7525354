/**
 * ImageDataLoaders: image files + a label function → training and validation loaders of NHWC
 * float32 batches (ImageNet-normalised) and int32 class indices. Decoding and resizing run in
 * sharp, `concurrency` images at a time, with batches prefetched (the learner package's item
 * pipeline, `DataLoaders.fromItems`).
 */
import { basename, dirname } from "node:path";
import {
  crossEntropyLoss,
  DataError,
  type DataLoader,
  DataLoaders,
  type ItemContext,
  type LossFunc,
  randomSeed,
  randomSplit,
} from "@sched/learner";
import type { ImageInput, RawImage } from "../transforms/decode.js";
import { type ChannelStats, IMAGENET_STATS, normalizeImage } from "../transforms/normalize.js";
import { Resize } from "../transforms/resize.js";
import type { ItemContext as ResizeContext } from "../transforms/resize-plan.js";
import { checkImages, type SkippedImage, skippedWarning } from "./check-images.js";
import { type Label, labelFiles, makeVocab } from "./labels.js";

/** An item transform that decodes a file into a fixed-size RGB image, e.g. `Resize(224)`. */
export interface ImageItemTransform {
  /** [height, width] of every image it returns. */
  readonly size: readonly [number, number];
  apply(input: ImageInput, ctx?: ResizeContext): Promise<RawImage>;
}

/** What to do with files that are not readable images. */
export type OnBadImage = "error" | "skip";

/** Options of the ImageDataLoaders factories (fastai's names and defaults). */
export interface ImageDataLoadersOptions {
  /** Fraction of the files (seeded, random) for validation. Default 0.2. */
  validPct?: number;
  /** Seed of the split, the shuffles and the random crops; random (see `dls.seed`) if omitted. */
  seed?: number;
  /** One decoding transform of fixed output size. Default `[Resize(224)]`. */
  itemTfms?: readonly ImageItemTransform[];
  /** Batch size. Default 64. */
  bs?: number;
  /** Validation batch size. Default `bs`. */
  validBs?: number;
  /** Images decoded at once (across prefetched batches). Default 4. */
  concurrency?: number;
  /** Batches prepared ahead of the one training. Default 1. */
  prefetch?: number;
  /** Normalisation statistics. Default ImageNet's. */
  stats?: ChannelStats;
  /**
   * "error" (default): a file that cannot be decoded fails the batch that holds it, with an error
   * naming the file. "skip": every file is decoded once up front; the bad ones are left out (before
   * the split, so batch sizes and counts refer to good files only) with one warning line.
   */
  onBadImage?: OnBadImage;
  /** Where the "skip" warning goes. Default `console.warn`. */
  warn?: (message: string) => void;
}

/** A label function over a file's name (fromNameFunc) or full path (fromPathFunc). */
export type LabelFunc = (key: string) => Label;

interface Meta {
  path: string;
  vocab: readonly Label[];
  seed: number;
  trainFiles: readonly string[];
  validFiles: readonly string[];
  skipped: readonly SkippedImage[];
  size: readonly [number, number];
}

function checkOptions(opts: ImageDataLoadersOptions): { tfm: ImageItemTransform; onBadImage: OnBadImage } {
  const tfms = opts.itemTfms ?? [Resize(224)];
  const tfm = tfms[0];
  if (
    !Array.isArray(tfms) ||
    tfms.length !== 1 ||
    typeof tfm?.apply !== "function" ||
    !Array.isArray(tfm.size) ||
    tfm.size.length !== 2
  ) {
    throw new DataError(
      `itemTfms must hold exactly one decoding transform with a fixed size, such as [Resize(224)]; got ${String(tfms)}`,
    );
  }
  const onBadImage = opts.onBadImage ?? "error";
  if (onBadImage !== "error" && onBadImage !== "skip") {
    throw new DataError(`onBadImage must be "error" or "skip", got ${JSON.stringify(opts.onBadImage)}`);
  }
  return { tfm, onBadImage };
}

function checkFiles(files: unknown): readonly string[] {
  if (!Array.isArray(files) || files.length === 0 || !files.every((f) => typeof f === "string" && f !== "")) {
    const what = Array.isArray(files)
      ? files.length === 0
        ? "[]"
        : "an array with a non-string"
      : String(files);
    throw new DataError(`files must be a non-empty array of file paths, got ${what}`);
  }
  return files;
}

/** Training and validation loaders over image files, with the vocabulary of their labels. */
export class ImageDataLoaders extends DataLoaders {
  /** The dataset folder (where a learner saves models by default). */
  readonly path: string;
  /** Sorted distinct labels; a batch's `y` is an index into it. */
  readonly vocab: readonly Label[];
  /** The seed of the split, shuffles and crops. */
  readonly seed: number;
  readonly trainFiles: readonly string[];
  readonly validFiles: readonly string[];
  /** Files left out by `onBadImage: "skip"`, with the reasons. */
  readonly skipped: readonly SkippedImage[];
  /** [height, width] of every image. */
  readonly size: readonly [number, number];
  /** The loss a learner uses when given none: cross-entropy over the classes. */
  readonly lossFunc: LossFunc = crossEntropyLoss;

  constructor(train: DataLoader, valid: DataLoader, meta: Meta) {
    super(train, valid);
    this.path = meta.path;
    this.vocab = Object.freeze([...meta.vocab]);
    this.seed = meta.seed;
    this.trainFiles = Object.freeze([...meta.trainFiles]);
    this.validFiles = Object.freeze([...meta.validFiles]);
    this.skipped = Object.freeze([...meta.skipped]);
    this.size = meta.size;
  }

  /** Number of classes. */
  get c(): number {
    return this.vocab.length;
  }

  /**
   * Labels from each file's name (its basename): `labelFunc("Abyssinian_12.jpg")`. The split is a
   * seeded random `validPct`; the vocabulary is the sorted distinct labels.
   */
  static fromNameFunc(
    path: string,
    files: readonly string[],
    labelFunc: LabelFunc,
    opts: ImageDataLoadersOptions = {},
  ): Promise<ImageDataLoaders> {
    return ImageDataLoaders.fromLabels(path, files, labelFunc, basename, opts);
  }

  /** Labels from each file's full path: `labelFunc("/data/pets/cats/Abyssinian_12.jpg")`. */
  static fromPathFunc(
    path: string,
    files: readonly string[],
    labelFunc: LabelFunc,
    opts: ImageDataLoadersOptions = {},
  ): Promise<ImageDataLoaders> {
    return ImageDataLoaders.fromLabels(path, files, labelFunc, (f) => f, opts);
  }

  /** Labels from each file's parent folder name (fastai's `parent_label`), e.g. `cats/x.jpg` → "cats". */
  static fromParentFolder(
    path: string,
    files: readonly string[],
    opts: ImageDataLoadersOptions = {},
  ): Promise<ImageDataLoaders> {
    return ImageDataLoaders.fromLabels(
      path,
      files,
      (f) => basename(dirname(f)),
      (f) => f,
      opts,
    );
  }

  private static async fromLabels(
    path: string,
    files: readonly string[],
    labelFunc: LabelFunc,
    key: (file: string) => string,
    opts: ImageDataLoadersOptions,
  ): Promise<ImageDataLoaders> {
    if (typeof path !== "string") throw new DataError(`path must be a string, got ${String(path)}`);
    if (typeof labelFunc !== "function")
      throw new DataError(`labelFunc must be a function, got ${String(labelFunc)}`);
    const { tfm, onBadImage } = checkOptions(opts);
    let all = checkFiles(files);
    const concurrency = opts.concurrency ?? 4;
    let skipped: SkippedImage[] = [];
    if (onBadImage === "skip") {
      if (!Number.isInteger(concurrency) || concurrency < 1) {
        throw new DataError(`concurrency must be a positive integer, got ${concurrency}`);
      }
      const checked = await checkImages(all, concurrency);
      skipped = checked.skipped;
      all = checked.good;
      if (skipped.length) (opts.warn ?? console.warn)(skippedWarning(skipped, files.length));
      if (all.length === 0) throw new DataError(`none of the ${files.length} files is a readable image`);
    }
    const labels = labelFiles(all, labelFunc, key);
    const vocab = makeVocab(labels);
    const index = new Map(vocab.map((l, i) => [l, i]));
    const classOf = new Map(all.map((f, i) => [f, index.get(labels[i] as Label) as number]));
    const seed = opts.seed ?? randomSeed();
    const split = randomSplit(all.length, opts.validPct ?? 0.2, seed);
    const pick = (idx: Int32Array) => Array.from(idx, (i) => all[i] as string);
    const [trainFiles, validFiles] = [pick(split.train), pick(split.valid)];
    const stats = opts.stats ?? IMAGENET_STATS;
    const itemTfm = async (file: string, ctx: ItemContext) => {
      const image = await tfm.apply(file, { training: ctx.training, rng: () => ctx.rng.uniform() });
      return { x: normalizeImage(image, stats), y: classOf.get(file) as number };
    };
    const dls = DataLoaders.fromItems(trainFiles, validFiles, {
      itemTfm,
      xShape: [tfm.size[0], tfm.size[1], 3],
      bs: opts.bs ?? 64,
      ...(opts.validBs !== undefined ? { validBs: opts.validBs } : {}),
      concurrency,
      ...(opts.prefetch !== undefined ? { prefetch: opts.prefetch } : {}),
      seed,
    });
    return new ImageDataLoaders(dls.train, dls.valid, {
      path,
      vocab,
      seed,
      trainFiles,
      validFiles,
      skipped,
      size: tfm.size,
    });
  }
}
