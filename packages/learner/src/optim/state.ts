import * as tf from "@tensorflow/tfjs";
import { OptimizerError, show } from "./errors.js";
import type { StateKind } from "./stages.js";
import type { OptimizerStateDict, ParamState } from "./types.js";

/** A copy of one parameter's state; tensors are clones (they share data, so this is cheap). */
export function cloneState(state: ParamState): ParamState {
  const copy: ParamState = {};
  for (const [key, value] of Object.entries(state))
    copy[key] = typeof value === "number" ? value : value.clone();
  return copy;
}

/** Frees the tensors of `state`, except those `keep` still holds under the same key. */
export function disposeState(state: ParamState, keep?: ParamState): void {
  for (const key in state) {
    const value = state[key];
    if (typeof value === "object" && value !== keep?.[key]) value.dispose();
  }
}

/** What a state dict must match to be loaded. */
export interface StateLayout {
  params: readonly tf.Variable[];
  nGroups: number;
  hyperNames: readonly string[];
  stateKinds: Readonly<Record<string, StateKind>>;
}

/** Throws an OptimizerError naming the first mismatch between `sd` and the optimizer; changes nothing. */
export function checkStateDict(sd: OptimizerStateDict, layout: StateLayout): void {
  const fail = (message: string): never => {
    throw new OptimizerError(`loadStateDict: ${message}`);
  };
  if (typeof sd !== "object" || sd === null || !Array.isArray(sd.state) || !Array.isArray(sd.hypers)) {
    fail(`expected { state: [...], hypers: [...] }, got ${show(sd)}`);
  }
  if (sd.hypers.length !== layout.nGroups) {
    fail(`${sd.hypers.length} hyper records for ${layout.nGroups} parameter groups`);
  }
  if (sd.state.length !== layout.params.length) {
    fail(`${sd.state.length} parameter states for ${layout.params.length} parameters`);
  }
  sd.hypers.forEach((hypers, g) => {
    const names = Object.keys(hypers ?? {});
    for (const name of layout.hyperNames)
      if (!names.includes(name)) fail(`hypers[${g}] has no ${show(name)}`);
    for (const name of names) {
      if (!layout.hyperNames.includes(name)) fail(`hypers[${g}] has unknown hyper-parameter ${show(name)}`);
      const value = hypers[name];
      if (typeof value !== "number" || !Number.isFinite(value)) {
        fail(`hypers[${g}].${name} must be a finite number, got ${show(value)}`);
      }
    }
  });
  sd.state.forEach((state, i) => {
    const param = layout.params[i] as tf.Variable;
    if (typeof state !== "object" || state === null)
      fail(`state[${i}] must be an object, got ${show(state)}`);
    for (const [key, value] of Object.entries(state)) {
      const where = `state[${i}].${key} (parameter ${show(param.name)})`;
      const kind = layout.stateKinds[key];
      if (kind === undefined)
        fail(`${where}: unknown state entry; expected one of ${show(Object.keys(layout.stateKinds))}`);
      if (kind === "count") {
        if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
          fail(`${where} must be a non-negative integer, got ${show(value)}`);
        }
      } else if (!(value instanceof tf.Tensor) || value.isDisposed) {
        fail(`${where} must be a live tensor, got ${show(value)}`);
      } else if (!tf.util.arraysEqual(value.shape, param.shape)) {
        fail(`${where} has shape ${show(value.shape)}, the parameter ${show(param.shape)}`);
      } else if (value.dtype !== param.dtype) {
        fail(`${where} has dtype ${value.dtype}, the parameter ${param.dtype}`);
      }
    }
  });
}
