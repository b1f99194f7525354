import * as tf from "@tensorflow/tfjs";
import { deriveSeed, Rng } from "../random.js";
import { DataError, ItemTransformError } from "./errors.js";
import { Limiter } from "./limiter.js";
import type { Batch, BatchSource, LoadContext } from "./source.js";

/** What an item transform is told about the item it prepares. */
export interface ItemContext {
  /** True in a training loader: apply augmentations. */
  readonly training: boolean;
  /** A stream for this item in this epoch: the same (seed, epoch, index) gives the same draws. */
  readonly rng: Rng;
  /** Index of the item in the loader's items. */
  readonly index: number;
  /** Iteration (epoch) index; 0 for `oneBatch`. */
  readonly epoch: number;
  /** Aborted when the iteration stops early; long decodes may give up. */
  readonly signal: AbortSignal;
}

/** One prepared item: `x` flat in row-major (e.g. HWC) order, `y` a class index or a flat target. */
export interface ItemSample {
  x: ArrayLike<number>;
  y: number | ArrayLike<number>;
}

/** Turns an item (a file name, a record...) into a sample, usually asynchronously (decode, resize). */
export type ItemTransform<T> = (item: T, ctx: ItemContext) => ItemSample | Promise<ItemSample>;

/** How items become batch tensors. */
export interface ItemSourceOptions<T> {
  /** Prepares one item. */
  itemTfm: ItemTransform<T>;
  /** Shape of one item's `x`, e.g. `[224, 224, 3]` (NHWC batches). */
  xShape: readonly number[];
  /** Shape of one item's `y`; default `[]` (one label per item). */
  yShape?: readonly number[];
  /** Default `"float32"`. */
  xDtype?: "float32" | "int32";
  /** Default `"int32"` (class indices); use `"float32"` for regression or multi-label targets. */
  yDtype?: "int32" | "float32";
  /** Item transforms running at once, across batches being prefetched; default 4. */
  concurrency?: number;
}

function checkShape(shape: readonly number[], argName: string): number {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new DataError(`${argName} must be an array of positive integers, got ${JSON.stringify(shape)}`);
  }
  return shape.reduce((a, d) => a * d, 1);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Batches made by running an async item transform on each item, `concurrency` at a time, and
 * collating the samples into one `x` tensor `[b, ...xShape]` and one `y` tensor `[b, ...yShape]`.
 */
export class ItemSource<T> implements BatchSource {
  readonly items: readonly T[];
  readonly xShape: readonly number[];
  readonly yShape: readonly number[];
  readonly xDtype: "float32" | "int32";
  readonly yDtype: "int32" | "float32";
  readonly #itemTfm: ItemTransform<T>;
  readonly #xSize: number;
  readonly #ySize: number;
  readonly #limiter: Limiter;

  constructor(items: readonly T[], opts: ItemSourceOptions<T>) {
    if (!Array.isArray(items) || items.length === 0) {
      throw new DataError(
        `items must be a non-empty array, got ${Array.isArray(items) ? "[]" : String(items)}`,
      );
    }
    if (typeof opts.itemTfm !== "function") {
      throw new DataError(`itemTfm must be a function, got ${String(opts.itemTfm)}`);
    }
    const concurrency = opts.concurrency ?? 4;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new DataError(`concurrency must be a positive integer, got ${concurrency}`);
    }
    this.items = items.slice();
    this.#itemTfm = opts.itemTfm;
    this.xShape = opts.xShape.slice();
    this.yShape = (opts.yShape ?? []).slice();
    this.#xSize = checkShape(this.xShape, "xShape");
    this.#ySize = checkShape(this.yShape, "yShape");
    this.xDtype = opts.xDtype ?? "float32";
    this.yDtype = opts.yDtype ?? "int32";
    this.#limiter = new Limiter(concurrency);
  }

  get n(): number {
    return this.items.length;
  }

  /** Item transforms running now (for monitoring and tests). */
  get active(): number {
    return this.#limiter.active;
  }

  async load(indices: Int32Array, ctx: LoadContext): Promise<Batch> {
    const b = indices.length;
    const xs = this.xDtype === "int32" ? new Int32Array(b * this.#xSize) : new Float32Array(b * this.#xSize);
    const ys = this.yDtype === "int32" ? new Int32Array(b * this.#ySize) : new Float32Array(b * this.#ySize);
    let failure: { pos: number; error: unknown } | undefined;
    // Every task settles before load does: no transform is left running, no rejection unhandled.
    const tasks = Array.from(indices, (index, pos) =>
      this.#limiter
        .run(async () => {
          if (failure || ctx.signal.aborted) return;
          const item = this.items[index] as T;
          let sample: ItemSample;
          try {
            sample = await this.#itemTfm(item, {
              training: ctx.training,
              rng: new Rng(deriveSeed(ctx.seed, "item", ctx.epoch, index)),
              index,
              epoch: ctx.epoch,
              signal: ctx.signal,
            });
          } catch (error) {
            throw new ItemTransformError(index, item, `itemTfm threw: ${message(error)}`, { cause: error });
          }
          this.#write(sample, index, item, pos, xs, ys);
        })
        .catch((error: unknown) => {
          if (!failure || pos < failure.pos) failure = { pos, error };
        }),
    );
    await Promise.all(tasks);
    if (failure) throw failure.error;
    if (ctx.signal.aborted) throw new DataError("batch load aborted: the iteration stopped");
    return tf.tidy(
      () =>
        [
          tf.tensor(xs, [b, ...this.xShape], this.xDtype),
          tf.tensor(ys, [b, ...this.yShape], this.yDtype),
        ] as Batch,
    );
  }

  #write(
    sample: ItemSample,
    index: number,
    item: T,
    pos: number,
    xs: Float32Array | Int32Array,
    ys: Float32Array | Int32Array,
  ): void {
    const fail = (reason: string) => new ItemTransformError(index, item, reason);
    if (typeof sample !== "object" || sample === null || sample.x == null || sample.y == null) {
      throw fail(`itemTfm must return { x, y }, got ${String(sample)}`);
    }
    const { x, y } = sample;
    if (typeof x.length !== "number" || x.length !== this.#xSize) {
      throw fail(
        `itemTfm returned x of length ${x.length}, expected ${this.#xSize} (xShape [${this.xShape.join(",")}])`,
      );
    }
    if (typeof y === "number") {
      if (this.#ySize !== 1) {
        throw fail(
          `itemTfm returned a number y, expected ${this.#ySize} values (yShape [${this.yShape.join(",")}])`,
        );
      }
      if (this.yDtype === "int32" && !Number.isInteger(y)) {
        throw fail(`itemTfm returned y = ${y}, expected an integer class index (yDtype int32)`);
      }
      ys[pos] = y;
    } else {
      if (typeof y.length !== "number" || y.length !== this.#ySize) {
        throw fail(
          `itemTfm returned y of length ${y.length}, expected ${this.#ySize} (yShape [${this.yShape.join(",")}])`,
        );
      }
      ys.set(y, pos * this.#ySize);
    }
    xs.set(x, pos * this.#xSize);
  }

  dispose(): void {}
}
