/**
 * What the learner trains: a `Module` (a call plus its variables), or a tfjs-layers `LayersModel`
 * adapted to one. Also the default splitter and the detection of norm and bias parameters, which
 * keep training when frozen (norm, with `trainBn`) and get no weight decay (norm and bias).
 */

import * as tf from "@tensorflow/tfjs";
import { LearnerError } from "./exceptions.js";

/** A trainable model: a forward call and the variables it trains. */
export interface Module {
  /** The forward pass; `training` switches dropout / batch-norm behaviour. */
  call(x: tf.Tensor, opts: { training: boolean }): tf.Tensor;
  /** The parameters to train, in a stable order. */
  readonly variables: readonly tf.Variable[];
  /** Non-trained state saved with the weights (e.g. batch-norm moving statistics). */
  readonly buffers?: readonly tf.Variable[];
  /** Normalisation parameters; without this member, found by name (see `normBiasParams`). */
  readonly normParams?: readonly tf.Variable[];
  /** Bias parameters; without this member, found by name (see `normBiasParams`). */
  readonly biasParams?: readonly tf.Variable[];
}

/** What a Learner accepts as its model. */
export type ModelLike = Module | tf.LayersModel;

/** Splits a model's parameters into groups (each gets its own hypers); the default is one group. */
export type Splitter<M extends ModelLike = ModelLike> = (model: M) => tf.Variable[][];

/** True for a tfjs-layers model (Sequential or functional). */
export function isLayersModel(m: unknown): m is tf.LayersModel {
  return m instanceof tf.LayersModel;
}

type AnyLayer = tf.layers.Layer;

/** The layers of `model`, nested models expanded, in order. */
export function flatLayers(model: tf.LayersModel | AnyLayer): AnyLayer[] {
  const out: AnyLayer[] = [];
  const visit = (l: AnyLayer) => {
    const inner = (l as { layers?: AnyLayer[] }).layers;
    if (Array.isArray(inner)) for (const c of inner) visit(c);
    else out.push(l);
  };
  visit(model as AnyLayer);
  return out;
}

/**
 * The trainable variables of some layers (or whole models), in layer order: handy for splitters,
 * e.g. `(m) => [layerVariables(m.layers.slice(0, 3)), layerVariables(m.layers.slice(3))]`.
 */
export function layerVariables(layers: readonly (AnyLayer | tf.LayersModel)[]): tf.Variable[] {
  return layers.flatMap((l) =>
    flatLayers(l).flatMap((x) => x.trainableWeights.map((w) => w.read() as tf.Variable)),
  );
}

const NORM_LAYERS = new Set(["BatchNormalization", "LayerNormalization"]);

function lastSegment(name: string): string {
  return (name.split(/[/.:]/).pop() ?? name).replace(/_\d+$/, "");
}

/** Adapts a LayersModel: training flag → `call(x, { training })`; variables → its layers' weights. */
export function layersModule(model: tf.LayersModel): Module & { readonly layersModel: tf.LayersModel } {
  const weights = () => flatLayers(model).flatMap((l) => l.weights);
  const byLayer = (pick: (l: AnyLayer, w: tf.LayerVariable) => boolean) =>
    flatLayers(model).flatMap((l) => l.weights.filter((w) => pick(l, w)).map((w) => w.read() as tf.Variable));
  return {
    layersModel: model,
    call: (x, { training }) => {
      // A LayersModel's call returns one tensor per output.
      const out = model.call(x, { training });
      if (!Array.isArray(out)) return out;
      if (out.length !== 1) {
        tf.dispose(out);
        throw new LearnerError(
          `a LayersModel with ${out.length} outputs is not supported; wrap it in a Module`,
        );
      }
      return out[0] as tf.Tensor;
    },
    get variables() {
      return weights()
        .filter((w) => w.trainable)
        .map((w) => w.read() as tf.Variable);
    },
    get buffers() {
      return weights()
        .filter((w) => !w.trainable)
        .map((w) => w.read() as tf.Variable);
    },
    get normParams() {
      return byLayer((l, w) => w.trainable && NORM_LAYERS.has(l.getClassName()));
    },
    get biasParams() {
      return byLayer(
        (l, w) => w.trainable && !NORM_LAYERS.has(l.getClassName()) && lastSegment(w.originalName) === "bias",
      );
    },
  };
}

/** `m` itself if it is a Module, its adapter if it is a LayersModel. */
export function toModule(m: ModelLike): Module {
  if (isLayersModel(m)) return layersModule(m);
  if (m === null || typeof m !== "object" || typeof (m as Module).call !== "function") {
    throw new LearnerError(
      `model must be a Module ({ call, variables }) or a tf.LayersModel, got ${String(m)}`,
    );
  }
  if (!Array.isArray((m as Module).variables)) {
    throw new LearnerError("model.variables must be an array of tf.Variable");
  }
  return m as Module;
}

/** The default splitter: every trainable variable in one group. */
export function trainableParams(model: ModelLike): tf.Variable[][] {
  return [[...toModule(model).variables]];
}

const NORM_NAME = /^(bn\d*|.*norm.*)$/i;

/**
 * The model's norm and bias parameters. A Module's `normParams` / `biasParams` members win;
 * otherwise a variable is a norm parameter when a segment of its name (split on `/`, `.`, `:`) is
 * `bn`, `bn1`, ... or contains `norm` (e.g. `block1/batchnorm/gamma`), and a bias when its last
 * segment is `bias` (e.g. `dense/bias`). LayersModels are classified by layer class instead.
 */
export function normBiasParams(model: Module): { norm: Set<tf.Variable>; bias: Set<tf.Variable> } {
  const vars = model.variables;
  const norm = new Set(
    model.normParams ?? vars.filter((v) => v.name.split(/[/.:]/).some((s) => NORM_NAME.test(s))),
  );
  const bias = new Set(
    model.biasParams ?? vars.filter((v) => !norm.has(v) && lastSegment(v.name) === "bias"),
  );
  return { norm, bias };
}

/** Checks a splitter's output: arrays of tf.Variables, each variable in at most one group. */
export function checkGroups(groups: unknown): tf.Variable[][] {
  if (!Array.isArray(groups) || groups.length === 0 || !groups.every(Array.isArray)) {
    throw new LearnerError("splitter must return a non-empty array of arrays of tf.Variable");
  }
  const seen = new Set<tf.Variable>();
  for (const [g, group] of (groups as unknown[][]).entries()) {
    for (const v of group) {
      if (!(v instanceof tf.Variable)) {
        const what =
          v instanceof tf.Tensor
            ? "a tf.Tensor"
            : typeof v === "object"
              ? String(v?.constructor?.name)
              : String(v);
        throw new LearnerError(`splitter: group ${g} holds ${what}, not a tf.Variable`);
      }
      if (seen.has(v)) throw new LearnerError(`splitter: variable \`${v.name}\` is in more than one group`);
      seen.add(v);
    }
  }
  return groups as tf.Variable[][];
}
