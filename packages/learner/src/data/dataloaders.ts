import * as tf from "@tensorflow/tfjs";
import { deriveSeed, randomSeed } from "../random.js";
import { DataLoader, type DataLoaderOptions } from "./dataloader.js";
import { DataError } from "./errors.js";
import { ItemSource, type ItemSourceOptions } from "./item-source.js";
import type { BatchSource } from "./source.js";
import { randomSplit } from "./split.js";
import { checkPairedTensors, TensorSource } from "./tensor-source.js";

/** Inputs and targets with the same first (item) axis. */
export type TensorPair = readonly [x: tf.Tensor, y: tf.Tensor];

/** Options of the `DataLoaders` factories. Train shuffles, valid never shuffles nor drops. */
export interface LoadersOptions {
  /** Train batch size; default 64. */
  bs?: number;
  /** Valid batch size; default `bs`. */
  validBs?: number;
  /** Shuffle the training set each epoch; default true. */
  shuffle?: boolean;
  /** Drop the last partial training batch; default false (as the reference's `synth_dbunch`). */
  dropLast?: boolean;
  /** Seed of the split, the shuffles and the item streams; random (see `train.seed`) if omitted. */
  seed?: number;
  /** Batches prepared ahead; default 0 for tensors, 1 for items. */
  prefetch?: number;
}

/** Split one dataset: `floor(validPct · n)` random items (seeded) go to valid. */
export interface SplitOptions {
  validPct: number;
}

/** `DataLoaders.fromItems` options: the loaders' and the item pipeline's. */
export type ItemLoadersOptions<T> = LoadersOptions & ItemSourceOptions<T>;

function isPair(value: unknown): value is TensorPair {
  return Array.isArray(value);
}

/** The training and validation loaders a Learner fits on. */
export class DataLoaders {
  constructor(
    readonly train: DataLoader,
    readonly valid: DataLoader,
  ) {}

  /**
   * From `[xTrain, yTrain]` and `[xValid, yValid]`, or from one `[x, y]` with `validPct` (and `seed`)
   * for a seeded random split. The loaders hold their own tensors (handles of the given tensors, or the
   * split's copies), freed by `dispose()`; the caller keeps ownership of the tensors it passed.
   */
  static fromTensors(train: TensorPair, valid: TensorPair, opts?: LoadersOptions): DataLoaders;
  static fromTensors(data: TensorPair, opts: LoadersOptions & SplitOptions): DataLoaders;
  static fromTensors(
    first: TensorPair,
    second?: TensorPair | (LoadersOptions & SplitOptions),
    third: LoadersOptions = {},
  ): DataLoaders {
    if (isPair(second)) {
      checkPairedTensors(first[0], first[1], "train");
      checkPairedTensors(second[0], second[1], "valid");
      const keepClone = (t: tf.Tensor) => tf.keep(t.clone());
      return build(
        () => [
          new TensorSource(keepClone(first[0]), keepClone(first[1])),
          new TensorSource(keepClone(second[0]), keepClone(second[1])),
        ],
        third,
        0,
      );
    }
    const opts = requireSplit(second, "fromTensors");
    const seed = opts.seed ?? randomSeed();
    const [x, y] = first;
    const { train, valid } = randomSplit(checkPairedTensors(x, y, "data"), opts.validPct, seed);
    const part = (idx: Int32Array) => {
      const [px, py] = tf.tidy(() => {
        const i = tf.tensor1d(idx, "int32");
        return [tf.gather(x, i), tf.gather(y, i)];
      });
      // Kept: the loaders outlive any tidy the caller builds them in.
      return new TensorSource(tf.keep(px as tf.Tensor), tf.keep(py as tf.Tensor));
    };
    return build(() => [part(train), part(valid)], { ...opts, seed }, 0);
  }

  /**
   * From train and valid item arrays, or from one array with `validPct` (and `seed`), prepared by an
   * async `itemTfm` (told `training: true` in the train loader only). See `DataLoader.fromItems`.
   */
  static fromItems<T>(train: readonly T[], valid: readonly T[], opts: ItemLoadersOptions<T>): DataLoaders;
  static fromItems<T>(items: readonly T[], opts: ItemLoadersOptions<T> & SplitOptions): DataLoaders;
  static fromItems<T>(
    first: readonly T[],
    second: readonly T[] | (ItemLoadersOptions<T> & SplitOptions),
    third?: ItemLoadersOptions<T>,
  ): DataLoaders {
    if (Array.isArray(second)) {
      if (!third)
        throw new DataError("fromItems(train, valid, opts): opts with itemTfm and xShape is required");
      const validItems = second as readonly T[];
      return build(() => [new ItemSource(first, third), new ItemSource(validItems, third)], third, 1);
    }
    const opts = requireSplit(second as ItemLoadersOptions<T> & SplitOptions, "fromItems");
    const seed = opts.seed ?? randomSeed();
    const { train, valid } = randomSplit(first.length, opts.validPct, seed);
    const pick = (idx: Int32Array) => Array.from(idx, (i) => first[i] as T);
    return build(
      () => [new ItemSource(pick(train), opts), new ItemSource(pick(valid), opts)],
      { ...opts, seed },
      1,
    );
  }

  /** Frees both loaders' sources. */
  dispose(): void {
    this.train.dispose();
    this.valid.dispose();
  }
}

function requireSplit<O extends LoadersOptions & Partial<SplitOptions>>(
  opts: O | undefined,
  fn: string,
): O & SplitOptions {
  if (opts?.validPct === undefined) {
    throw new DataError(`${fn}: pass a valid set, or validPct to split one dataset (got no validPct)`);
  }
  return opts as O & SplitOptions;
}

/** Builds both loaders; if anything throws, the sources made so far are freed. */
function build(
  makeSources: () => [BatchSource, BatchSource],
  opts: LoadersOptions,
  defaultPrefetch: number,
): DataLoaders {
  const seed = opts.seed ?? randomSeed();
  const bs = opts.bs ?? 64;
  const common: DataLoaderOptions = { prefetch: opts.prefetch ?? defaultPrefetch };
  let sources: BatchSource[] = [];
  try {
    const [trainSource, validSource] = makeSources();
    sources = [trainSource, validSource];
    const train = new DataLoader(trainSource, {
      ...common,
      bs,
      shuffle: opts.shuffle ?? true,
      dropLast: opts.dropLast ?? false,
      seed: deriveSeed(seed, "train"),
      training: true,
    });
    const valid = new DataLoader(validSource, {
      ...common,
      bs: opts.validBs ?? bs,
      shuffle: false,
      dropLast: false,
      seed: deriveSeed(seed, "valid"),
      training: false,
    });
    return new DataLoaders(train, valid);
  } catch (error) {
    for (const s of sources) s.dispose();
    throw error;
  }
}
