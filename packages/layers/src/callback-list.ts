/** User callbacks as model.fit takes them, normalised to callback objects. */
import * as tf from "@tensorflow/tfjs";
import { LayersError } from "./errors.js";

/** A tfjs callback object (tfjs's BaseCallback, which it does not export by name). */
export type FitCallback = Parameters<tf.CallbackList["append"]>[0];

/** What `model.fit` accepts as `callbacks`: callback objects, or handler configs `{ onBatchEnd, ... }`. */
export type CallbackInput = tf.ModelFitArgs["callbacks"];

function isCallbackObject(value: unknown): value is FitCallback {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as { setParams?: unknown }).setParams === "function" &&
    typeof (value as { onBatchBegin?: unknown }).onBatchBegin === "function"
  );
}

/**
 * Callback objects as they are, handler configs wrapped in `tf.CustomCallback` (as model.fit does,
 * but per element, so a list may mix both).
 */
export function toCallbacks(
  input: CallbackInput,
  where: string,
  yieldEvery?: tf.ModelFitArgs["yieldEvery"],
): FitCallback[] {
  if (input == null) return [];
  const list: unknown[] = Array.isArray(input) ? input : [input];
  return list.map((c, i) => {
    if (isCallbackObject(c)) return c;
    if (c !== null && typeof c === "object")
      return new tf.CustomCallback(c as tf.CustomCallbackArgs, yieldEvery);
    throw new LayersError(
      `${where}: callbacks[${i}] must be a tfjs callback or a { onBatchEnd, ... } object; got ${String(c)}`,
    );
  });
}
