import * as tf from "@tensorflow/tfjs";
import { DataError } from "./errors.js";
import type { Batch, BatchSource } from "./source.js";

/** Checks that `x` and `y` have a non-empty batch axis of the same length; returns it. */
export function checkPairedTensors(x: tf.Tensor, y: tf.Tensor, argName = "x, y"): number {
  const n = x.shape[0];
  if (x.rank < 1 || y.rank < 1 || n !== y.shape[0]) {
    throw new DataError(
      `${argName}: x shape [${x.shape.join(",")}] and y shape [${y.shape.join(",")}] need the same first (item) axis`,
    );
  }
  if (n === undefined || n < 1) throw new DataError(`${argName}: no items (x shape [${x.shape.join(",")}])`);
  return n;
}

function contiguousStart(indices: Int32Array): number | undefined {
  const start = indices[0];
  if (start === undefined) return undefined;
  for (let i = 1; i < indices.length; i++) if (indices[i] !== start + i) return undefined;
  return start;
}

/**
 * Batches cut from two tensors held in memory: a slice for a contiguous run of rows (unshuffled),
 * otherwise a gather. Synchronous and cheap. It owns `x` and `y` (frees them in `dispose`).
 */
export class TensorSource implements BatchSource {
  readonly n: number;

  constructor(
    readonly x: tf.Tensor,
    readonly y: tf.Tensor,
  ) {
    this.n = checkPairedTensors(x, y);
  }

  load(indices: Int32Array): Batch {
    return tf.tidy(() => {
      const start = contiguousStart(indices);
      if (start !== undefined) {
        return [tf.slice(this.x, start, indices.length), tf.slice(this.y, start, indices.length)] as Batch;
      }
      const idx = tf.tensor1d(indices, "int32");
      return [tf.gather(this.x, idx), tf.gather(this.y, idx)] as Batch;
    });
  }

  dispose(): void {
    tf.dispose([this.x, this.y]);
  }
}
