/**
 * A classifier made of a pretrained-style body (a ResNet cut before its pooling) and fastai's head.
 * Its parameter groups are fastai's resnet split: [stem + layer1 + layer2, layer3 + layer4, head].
 */
import type { Module } from "@sched/learner";
import * as tf from "@tensorflow/tfjs";
import { Head, type HeadOptions } from "./head.js";
import { ParamStore } from "./params.js";
import type { ResNet } from "./resnet.js";

/** A body (features before pooling) plus a classification head, as one learner Module. */
export class CnnModel implements Module {
  readonly body: ResNet;
  readonly head: Head;
  readonly headStore: ParamStore;

  /** Takes over `body` (disposed with this model). */
  constructor(body: ResNet, nOut: number, opts: HeadOptions & { seed?: number } = {}) {
    this.body = body;
    this.headStore = new ParamStore(`${body.arch}_head`, opts.seed);
    try {
      this.head = new Head(this.headStore, body.nf, nOut, opts);
    } catch (error) {
      this.headStore.dispose();
      throw error;
    }
  }

  /** The body's architecture name (e.g. "resnet18"). */
  get arch(): string {
    return this.body.arch;
  }

  call(x: tf.Tensor, { training }: { training: boolean }): tf.Tensor {
    return tf.tidy(() => this.head.call(this.body.features(x, training), training));
  }

  get variables(): tf.Variable[] {
    return [...this.body.variables, ...this.headStore.params.values()];
  }

  get buffers(): tf.Variable[] {
    return [...this.body.buffers, ...this.headStore.buffers.values()];
  }

  get normParams(): tf.Variable[] {
    return [...this.body.normParams, ...this.headStore.norm];
  }

  get biasParams(): tf.Variable[] {
    return [...this.body.biasParams, ...this.headStore.bias];
  }

  /** Every variable with its key (`conv1.weight`, ..., `head.0.bn.running_mean`), params then buffers. */
  entries(): Array<[string, tf.Variable]> {
    return [
      ...this.body.store.params,
      ...this.headStore.params,
      ...this.body.store.buffers,
      ...this.headStore.buffers,
    ];
  }

  /** fastai's resnet split: [stem + layer1 + layer2, layer3 + layer4, head]. */
  paramGroups(): tf.Variable[][] {
    return [...this.body.paramGroups(), [...this.headStore.params.values()]];
  }

  dispose(): void {
    this.body.dispose();
    this.headStore.dispose();
  }
}

/** The splitter cnnLearner uses: `model.paramGroups()` (3 groups for a ResNet body). */
export function cnnSplitter(model: CnnModel): tf.Variable[][] {
  return model.paramGroups();
}
