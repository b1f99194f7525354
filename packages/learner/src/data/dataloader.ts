import * as tf from "@tensorflow/tfjs";
import { deriveSeed, Rng, randomSeed } from "../random.js";
import { DataError } from "./errors.js";
import { ItemSource, type ItemSourceOptions } from "./item-source.js";
import type { Batch, BatchSource, LoadContext } from "./source.js";
import { checkPairedTensors, TensorSource } from "./tensor-source.js";

/** How a DataLoader walks its items. */
export interface DataLoaderOptions {
  /** Batch size; default 64. */
  bs?: number;
  /** A new seeded order every epoch; default false. */
  shuffle?: boolean;
  /** Skip the last partial batch; default false. */
  dropLast?: boolean;
  /** Seed of the shuffles and item streams; a random one (readable as `seed`) if omitted. */
  seed?: number;
  /** Batches prepared ahead of the one being consumed; default 1 (0 for `fromTensors`). */
  prefetch?: number;
  /** Passed to item transforms (augment or not); default `shuffle`. */
  training?: boolean;
}

/** `DataLoader.fromItems` options: the loader's and the item pipeline's. */
export type ItemLoaderOptions<T> = DataLoaderOptions & ItemSourceOptions<T>;

type Settled = { ok: true; batch: Batch } | { ok: false; error: unknown };

function settle(load: () => Batch | Promise<Batch>): Promise<Settled> {
  try {
    // Wrapped at once, so a batch that fails while an earlier one trains is never an unhandled rejection.
    return Promise.resolve(load()).then(
      (batch) => ({ ok: true, batch }),
      (error: unknown) => ({ ok: false, error }),
    );
  } catch (error) {
    return Promise.resolve({ ok: false, error });
  }
}

function checkCount(value: number, argName: string, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new DataError(`${argName} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

/**
 * An async iterable of `[xb, yb]` batches over a `BatchSource`.
 *
 * Ownership: each yielded batch is made of new tensors that the consumer owns and must dispose.
 * Batches prepared ahead (prefetch) belong to the iterator until yielded; when a loop stops early
 * (`break`, a throw, a cancel) the iterator's `return()` waits for them and disposes them.
 * Iteration `k` (counted from 0 by `[Symbol.asyncIterator]()` calls, see `epoch`) shuffles with a
 * stream derived from `(seed, k)`: a new order each epoch, the same orders for the same seed.
 */
export class DataLoader implements AsyncIterable<Batch> {
  readonly source: BatchSource;
  readonly bs: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly seed: number;
  readonly prefetch: number;
  readonly training: boolean;
  #epoch = 0;
  #disposed = false;

  constructor(source: BatchSource, opts: DataLoaderOptions = {}) {
    this.source = source;
    this.bs = checkCount(opts.bs ?? 64, "bs", 1);
    this.prefetch = checkCount(opts.prefetch ?? 1, "prefetch", 0);
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.seed = new Rng(opts.seed ?? randomSeed()).seed;
    this.training = opts.training ?? this.shuffle;
  }

  /** Batches from two tensors with the same first axis; the loader keeps its own handles (no copy). */
  static fromTensors(x: tf.Tensor, y: tf.Tensor, opts: DataLoaderOptions = {}): DataLoader {
    checkPairedTensors(x, y);
    const source = new TensorSource(tf.keep(x.clone()), tf.keep(y.clone()));
    try {
      return new DataLoader(source, { ...opts, prefetch: opts.prefetch ?? 0 });
    } catch (error) {
      source.dispose();
      throw error;
    }
  }

  /** Batches of items prepared by an async item transform, collated into `x` / `y` tensors. */
  static fromItems<T>(items: readonly T[], opts: ItemLoaderOptions<T>): DataLoader {
    return new DataLoader(new ItemSource(items, opts), opts);
  }

  /** Number of items. */
  get n(): number {
    return this.source.n;
  }

  /** Batches per epoch. */
  get length(): number {
    return this.dropLast ? Math.floor(this.n / this.bs) : Math.ceil(this.n / this.bs);
  }

  /** Index of the next iteration, i.e. whose order the next `for await` uses; settable to resume. */
  get epoch(): number {
    return this.#epoch;
  }

  set epoch(k: number) {
    this.#epoch = checkCount(k, "epoch", 0);
  }

  /** The item indices of each batch of iteration `epoch`, in order. */
  batchIndices(epoch: number): Int32Array[] {
    checkCount(epoch, "epoch", 0);
    const order = this.shuffle
      ? new Rng(deriveSeed(this.seed, "order", epoch)).permutation(this.n)
      : Int32Array.from({ length: this.n }, (_, i) => i);
    return Array.from({ length: this.length }, (_, b) => order.subarray(b * this.bs, (b + 1) * this.bs));
  }

  [Symbol.asyncIterator](): AsyncGenerator<Batch, void, undefined> {
    this.#checkUsable();
    const epoch = this.#epoch++;
    return this.#iterate(this.batchIndices(epoch), epoch);
  }

  /** The first batch of iteration 0, without advancing `epoch`: the same batch every call. */
  async oneBatch(): Promise<Batch> {
    this.#checkUsable();
    const [first] = this.batchIndices(0);
    if (!first) {
      throw new DataError(`oneBatch: no full batch (n=${this.n}, bs=${this.bs}, dropLast=${this.dropLast})`);
    }
    return this.source.load(first, this.#context(0, new AbortController().signal));
  }

  /** Frees the source (the tensors `fromTensors` holds). Iterating afterwards is an error. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.source.dispose();
  }

  #checkUsable(): void {
    if (this.#disposed) throw new DataError("this DataLoader was disposed");
  }

  #context(epoch: number, signal: AbortSignal): LoadContext {
    return { epoch, training: this.training, seed: this.seed, signal };
  }

  async *#iterate(batches: Int32Array[], epoch: number): AsyncGenerator<Batch, void, undefined> {
    const abort = new AbortController();
    const ctx = this.#context(epoch, abort.signal);
    const queue: Promise<Settled>[] = [];
    let next = 0;
    try {
      while (next < batches.length || queue.length > 0) {
        // The batch to yield plus `prefetch` more are in flight before we wait for the first.
        while (next < batches.length && queue.length <= this.prefetch) {
          const indices = batches[next++] as Int32Array;
          queue.push(settle(() => this.source.load(indices, ctx)));
        }
        const result = (await queue.shift()) as Settled;
        if (!result.ok) throw result.error;
        yield result.batch;
      }
    } finally {
      abort.abort();
      // Prefetched batches were never handed over: free them, once their loads have settled.
      for (const pending of queue.splice(0)) {
        const result = await pending;
        if (result.ok) tf.dispose(result.batch);
      }
    }
  }
}
