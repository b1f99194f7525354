/**
 * The named variables of one model instance. Keys follow torchvision's `state_dict` names
 * (`layer1.0.conv1.weight`, `bn1.running_mean`), so weights convert between the two by name. The
 * tf.Variable names get a per-instance prefix (`resnet18_3/conv1.weight`) because tfjs refuses two
 * variables with the same name in one process.
 */
import { deriveSeed, Rng, randomSeed } from "@sched/learner";
import * as tf from "@tensorflow/tfjs";

/** What a variable is, for weight decay and freezing: norm params keep training when frozen. */
export type ParamKind = "weight" | "bias" | "norm";

const instances = new Map<string, number>();

/** A unique variable-name prefix for a new instance of `base` (`resnet18_0`, `resnet18_1`, ...). */
export function uniquePrefix(base: string): string {
  const n = instances.get(base) ?? 0;
  instances.set(base, n + 1);
  return `${base}_${n}`;
}

/** Trained parameters and buffers (running statistics), in creation order, by key. */
export class ParamStore {
  readonly prefix: string;
  readonly seed: number;
  readonly params = new Map<string, tf.Variable>();
  readonly buffers = new Map<string, tf.Variable>();
  readonly norm = new Set<tf.Variable>();
  readonly bias = new Set<tf.Variable>();

  constructor(base: string, seed: number = randomSeed()) {
    this.prefix = uniquePrefix(base);
    this.seed = seed;
  }

  /** A trained variable holding `values` (taken over: not copied, not disposed by the caller). */
  param(key: string, values: tf.Tensor, kind: ParamKind): tf.Variable {
    const v = this.#make(key, values, true);
    this.params.set(key, v);
    if (kind === "norm") this.norm.add(v);
    if (kind === "bias") this.bias.add(v);
    return v;
  }

  /** A variable that is saved with the weights but not trained (e.g. a running mean). */
  buffer(key: string, values: tf.Tensor): tf.Variable {
    const v = this.#make(key, values, false);
    this.buffers.set(key, v);
    return v;
  }

  /** Normal(0, std) values of `shape`, from a stream fixed by the store's seed and `key`. */
  normal(key: string, shape: number[], std: number): tf.Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    return tf.tensor(new Rng(deriveSeed(this.seed, key)).normalArray(n, 0, std), shape);
  }

  /** Uniform(-bound, bound) values of `shape`, from a stream fixed by the store's seed and `key`. */
  uniform(key: string, shape: number[], bound: number): tf.Tensor {
    const n = shape.reduce((a, b) => a * b, 1);
    return tf.tensor(new Rng(deriveSeed(this.seed, key)).uniformArray(n, -bound, bound), shape);
  }

  /** Every variable, trained then buffers, with its key. */
  entries(): Array<[string, tf.Variable]> {
    return [...this.params, ...this.buffers];
  }

  dispose(): void {
    for (const [, v] of this.entries()) v.dispose();
  }

  #make(key: string, values: tf.Tensor, trainable: boolean): tf.Variable {
    if (this.params.has(key) || this.buffers.has(key)) {
      values.dispose();
      throw new Error(`ParamStore: duplicate key ${key}`);
    }
    try {
      return tf.variable(values, trainable, `${this.prefix}/${key}`);
    } finally {
      values.dispose();
    }
  }
}
