/**
 * Endless batch streams for the LR finder, which runs as many epochs as it needs: seeded shuffled
 * batches of in-memory tensors, or a tf.data dataset iterated again each time it runs out.
 */
import * as tf from "@tensorflow/tfjs";
import { LayersError } from "./errors.js";

/** Model inputs or targets: one tensor, a list, or a map by input/output name (as model.fit takes). */
export type TensorData = tf.Tensor | tf.Tensor[] | { [name: string]: tf.Tensor };

/** One training batch; the stream's consumer frees `tensors` once the step is done. */
export interface Batch {
  xs: TensorData;
  ys: TensorData;
  tensors: tf.Tensor[];
  size: number;
}

/** An endless stream of batches. */
export interface BatchStream {
  next(): Promise<Batch>;
}

/** A tiny seeded generator (mulberry32): reproducible batch orders without a dependency. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** 0..n−1 in a seeded random order (Fisher–Yates); in order when `random` is omitted. */
export function permutation(n: number, random?: () => number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  if (!random) return p;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = p[i] as number;
    p[i] = p[j] as number;
    p[j] = t;
  }
  return p;
}

/** The tensors of model inputs or targets, in order. */
export function leaves(data: TensorData): tf.Tensor[] {
  if (data instanceof tf.Tensor) return [data];
  if (Array.isArray(data)) return data;
  return Object.values(data);
}

function mapLeaves(data: TensorData, f: (t: tf.Tensor) => tf.Tensor): TensorData {
  if (data instanceof tf.Tensor) return f(data);
  if (Array.isArray(data)) return data.map(f);
  return Object.fromEntries(Object.entries(data).map(([k, t]) => [k, f(t)]));
}

/** Whether `value` looks like model inputs/targets (and not a dataset). */
export function isTensorData(value: unknown): value is TensorData {
  if (value instanceof tf.Tensor) return true;
  if (Array.isArray(value)) return value.length > 0 && value.every((t) => t instanceof tf.Tensor);
  if (value === null || typeof value !== "object") return false;
  const entries = Object.values(value);
  return entries.length > 0 && entries.every((t) => t instanceof tf.Tensor);
}

/** Whether `value` is a tf.data dataset (anything with an `iterator()` method that is not a tensor). */
export function isDataset(value: unknown): value is tf.data.Dataset<tf.TensorContainer> {
  return (
    value !== null &&
    typeof value === "object" &&
    !(value instanceof tf.Tensor) &&
    typeof (value as { iterator?: unknown }).iterator === "function"
  );
}

/** Rows shared by every tensor of x and y; throws naming the first mismatch. */
function rowCount(x: TensorData, y: TensorData, where: string): number {
  const all: Array<[string, tf.Tensor]> = [
    ...leaves(x).map((t, i) => [`x[${i}]`, t] as [string, tf.Tensor]),
    ...leaves(y).map((t, i) => [`y[${i}]`, t] as [string, tf.Tensor]),
  ];
  const n = all[0]?.[1].shape[0];
  for (const [name, t] of all) {
    if (t.isDisposed) throw new LayersError(`${where}: ${name} is disposed`);
    if (t.rank === 0 || t.shape[0] !== n) {
      throw new LayersError(
        `${where}: every tensor of x and y needs ${n} rows; ${name} has shape [${t.shape}]`,
      );
    }
  }
  if (!n) throw new LayersError(`${where}: x and y have no rows`);
  return n;
}

/**
 * Batches of `batchSize` rows in a new seeded order every epoch, last partial batch dropped (as a
 * shuffled training loader does; one batch of all rows when there are fewer than `batchSize`).
 */
export function tensorBatches(
  x: TensorData,
  y: TensorData,
  options: { batchSize: number; shuffle: boolean; seed: number; where: string },
): BatchStream {
  const { batchSize, shuffle, seed, where } = options;
  const n = rowCount(x, y, where);
  const size = Math.min(batchSize, n);
  const perEpoch = Math.floor(n / size);
  const random = seededRandom(seed);
  let order: Int32Array = new Int32Array(0);
  let k = perEpoch;
  return {
    async next() {
      if (k === perEpoch) {
        order = permutation(n, shuffle ? random : undefined);
        k = 0;
      }
      const rows = order.subarray(k * size, (k + 1) * size);
      k++;
      return tf.tidy(() => {
        const idx = tf.tensor1d(rows, "int32");
        const xs = mapLeaves(x, (t) => tf.gather(t, idx));
        const ys = mapLeaves(y, (t) => tf.gather(t, idx));
        return { xs, ys, tensors: [...leaves(xs), ...leaves(ys)], size };
      });
    },
  };
}

/** Frees the tensors of a dataset element that cannot be used. */
function disposeElement(value: unknown): void {
  tf.dispose(value as tf.TensorContainer);
}

/**
 * The dataset's elements (`{ xs, ys }`, as model.fitDataset takes them), starting a new pass with
 * a new iterator whenever one runs out. A pass with no element is an error (it would loop forever).
 */
export function datasetBatches(dataset: tf.data.Dataset<tf.TensorContainer>, where: string): BatchStream {
  let iterator: Awaited<ReturnType<typeof dataset.iterator>> | undefined;
  let inPass = 0;
  return {
    async next() {
      for (let attempt = 0; attempt < 2; attempt++) {
        if (!iterator) {
          iterator = await dataset.iterator();
          inPass = 0;
        }
        const r = await iterator.next();
        if (!r.done) {
          const v = r.value as { xs?: unknown; ys?: unknown } | null;
          if (!v || typeof v !== "object" || !isTensorData(v.xs) || !isTensorData(v.ys)) {
            disposeElement(r.value);
            throw new LayersError(
              `${where}: dataset elements must be { xs, ys } with tensors (as model.fitDataset takes); got ` +
                `${v && typeof v === "object" ? `keys [${Object.keys(v)}]` : String(v)}`,
            );
          }
          inPass++;
          const tensors = [...leaves(v.xs), ...leaves(v.ys)];
          return { xs: v.xs, ys: v.ys, tensors, size: tensors[0]?.shape[0] ?? 0 };
        }
        iterator = undefined;
        if (inPass === 0) break;
      }
      throw new LayersError(
        `${where}: the dataset yielded no batch; give it at least one { xs, ys } element`,
      );
    },
  };
}
