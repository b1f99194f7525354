/**
 * The validation loss lrFind records after every step: the compiled loss of the current weights on
 * the whole validation data, in inference mode, read from the device once and freed at once.
 */
import * as tf from "@tensorflow/tfjs";
import { isDataset, isTensorData, leaves, type TensorData } from "./batches.js";
import { LayersError } from "./errors.js";

/** lrFind's `validationData`: `[x, y]` as model.fit takes it, or a dataset of batched `{ xs, ys }`. */
export type ValidationData = [TensorData, TensorData] | tf.data.Dataset<tf.TensorContainer>;

const WHERE = "lrFind";

/** Checks `validationData`'s form (its shapes are the model's to check, on the first evaluation). */
export function checkValidationData(value: unknown): ValidationData | undefined {
  if (value === undefined) return undefined;
  if (isDataset(value)) return value;
  const what = Array.isArray(value)
    ? `an array of ${value.length}`
    : value instanceof tf.Tensor
      ? `a tensor of shape [${value.shape}]`
      : String(value);
  if (!Array.isArray(value) || value.length !== 2) {
    throw new LayersError(
      `${WHERE}: validationData must be [x, y] (tensors, arrays or maps of tensors) or a tf.data dataset of { xs, ys }; got ${what}`,
    );
  }
  value.forEach((part, i) => {
    if (!isTensorData(part)) {
      throw new LayersError(
        `${WHERE}: validationData[${i}] must be a tensor, an array or a map of tensors; got ${String(part)}`,
      );
    }
    if (leaves(part).some((t) => t.isDisposed))
      throw new LayersError(`${WHERE}: validationData[${i}] holds a disposed tensor`);
  });
  return value as [TensorData, TensorData];
}

/** The first output of an evaluation (the loss), as a number; every output is freed. */
async function firstValue(out: tf.Scalar | tf.Scalar[]): Promise<number> {
  const outs = Array.isArray(out) ? out : [out];
  try {
    const loss = outs[0];
    if (!loss) throw new LayersError(`${WHERE}: the validationData dataset yielded no batch`);
    return (await loss.data())[0] as number;
  } finally {
    tf.dispose(outs);
  }
}

/**
 * `model.evaluateDataset` on a fresh pass of the dataset. It frees each element once evaluated but
 * not the one that made it throw: the iterator given to it keeps that one to free it here. (When a
 * batch after the first throws, tfjs 4.22 also drops its running sums, one scalar per output, out
 * of reach: batches the model takes in the first but not in a later one are not worth an own loop.)
 */
async function evaluateDataset(
  model: tf.LayersModel,
  dataset: tf.data.Dataset<tf.TensorContainer>,
): Promise<tf.Scalar | tf.Scalar[]> {
  const iterator = await dataset.iterator();
  let current: tf.TensorContainer | undefined;
  const tracked = {
    async next() {
      const r = await iterator.next();
      current = r.value;
      return r;
    },
  };
  try {
    // evaluateDataset takes an iterator as well as a dataset (anything with `next`).
    return await model.evaluateDataset(tracked as unknown as Parameters<typeof model.evaluateDataset>[0], {});
  } catch (e) {
    tf.dispose(current);
    throw e;
  }
}

/** The model's compiled loss on all of `data` with its current weights (inference mode). */
export async function validationLoss(
  model: tf.LayersModel,
  data: ValidationData,
  batchSize: number,
): Promise<number> {
  if (isDataset(data)) return firstValue(await evaluateDataset(model, data));
  const [x, y] = data;
  // evaluate takes maps by input/output name too, though its type lists tensors only.
  return firstValue(model.evaluate(x as tf.Tensor[], y as tf.Tensor[], { batchSize, verbose: 0 }));
}
