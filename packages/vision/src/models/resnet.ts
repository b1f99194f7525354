/**
 * ResNet-18 and ResNet-34 (He et al. 2015) with BasicBlocks, laid out as torchvision's: a 7×7/2
 * convolution, batch norm, ReLU and a 3×3/2 max pool (the stem), four stages of 64/128/256/512
 * channels, then global average pooling and a fully connected layer. Activations are NHWC.
 */
import type { Module } from "@sched/learner";
import * as tf from "@tensorflow/tfjs";
import { BatchNorm, Conv2d, type Layer, Linear } from "./layers.js";
import { relu } from "./ops.js";
import { ParamStore } from "./params.js";

/** Options of `resnet18` / `resnet34`. */
export interface ResNetOptions {
  /** Outputs of the final fully connected layer (ImageNet: 1000, the default). */
  nOut?: number;
  /** Build the pooling + fully connected top; false gives the body alone (what cnnLearner uses). Default true. */
  includeTop?: boolean;
  /** Seed of the initial weights; random if omitted. */
  seed?: number;
}

/** torchvision's BasicBlock: conv3×3-BN-ReLU-conv3×3-BN plus the shortcut (1×1 conv + BN when the shape changes), then ReLU. */
class BasicBlock implements Layer {
  readonly #conv1: Conv2d;
  readonly #bn1: BatchNorm;
  readonly #conv2: Conv2d;
  readonly #bn2: BatchNorm;
  readonly #downsample: [Conv2d, BatchNorm] | undefined;

  constructor(store: ParamStore, key: string, cin: number, cout: number, stride: number) {
    this.#conv1 = new Conv2d(store, `${key}.conv1`, cin, cout, 3, stride);
    this.#bn1 = new BatchNorm(store, `${key}.bn1`, cout);
    this.#conv2 = new Conv2d(store, `${key}.conv2`, cout, cout, 3, 1);
    this.#bn2 = new BatchNorm(store, `${key}.bn2`, cout);
    if (stride !== 1 || cin !== cout) {
      this.#downsample = [
        new Conv2d(store, `${key}.downsample.0`, cin, cout, 1, stride),
        new BatchNorm(store, `${key}.downsample.1`, cout),
      ];
    }
  }

  call(x: tf.Tensor, training: boolean): tf.Tensor {
    let out = relu(this.#bn1.call(this.#conv1.call(x), training));
    out = this.#bn2.call(this.#conv2.call(out), training);
    const ds = this.#downsample;
    const identity = ds ? ds[1].call(ds[0].call(x), training) : x;
    return relu(tf.add(out, identity));
  }
}

const STAGE_CHANNELS = [64, 128, 256, 512] as const;

/** A ResNet as a learner Module, with the cut points cnnLearner and the splitter need. */
export class ResNet implements Module {
  readonly arch: string;
  readonly store: ParamStore;
  /** Channels of the body's output (the features before pooling). */
  readonly nf = 512;
  /** Blocks per stage, e.g. [2, 2, 2, 2]. */
  readonly blocks: readonly number[];
  readonly #conv1: Conv2d;
  readonly #bn1: BatchNorm;
  readonly #stages: BasicBlock[][];
  readonly #fc: Linear | undefined;

  constructor(arch: string, blocks: readonly number[], opts: ResNetOptions = {}) {
    const nOut = opts.nOut ?? 1000;
    if (!Number.isInteger(nOut) || nOut < 1) {
      throw new RangeError(`${arch}: nOut must be a positive integer, got ${String(opts.nOut)}`);
    }
    this.arch = arch;
    this.blocks = blocks;
    this.store = new ParamStore(arch, opts.seed);
    const s = this.store;
    try {
      this.#conv1 = new Conv2d(s, "conv1", 3, 64, 7, 2);
      this.#bn1 = new BatchNorm(s, "bn1", 64);
      let cin = 64;
      this.#stages = blocks.map((n, i) => {
        const cout = STAGE_CHANNELS[i] as number;
        return Array.from({ length: n }, (_, j) => {
          const block = new BasicBlock(
            s,
            `layer${i + 1}.${j}`,
            j === 0 ? cin : cout,
            cout,
            i > 0 && j === 0 ? 2 : 1,
          );
          cin = cout;
          return block;
        });
      });
      if (opts.includeTop ?? true) this.#fc = new Linear(s, "fc", this.nf, nOut, true, "torch-default");
    } catch (error) {
      s.dispose();
      throw error;
    }
  }

  /** The body: stem and the four stages, NHWC features `[b, h/32, w/32, 512]` (before pooling). */
  features(x: tf.Tensor, training: boolean): tf.Tensor {
    return tf.tidy(() => {
      let h = relu(this.#bn1.call(this.#conv1.call(x), training));
      // Zero padding equals PyTorch's -inf padding here: the input is a ReLU output (>= 0).
      h = tf.maxPool(
        tf.pad(h, [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ]) as tf.Tensor4D,
        3,
        2,
        "valid",
      );
      for (const stage of this.#stages) for (const block of stage) h = block.call(h, training);
      return h;
    });
  }

  /** Logits `[b, nOut]` (or the pooled `[b, 512]` features without a top). */
  call(x: tf.Tensor, { training }: { training: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const pooled = tf.mean(this.features(x, training), [1, 2]);
      return this.#fc ? this.#fc.call(pooled) : pooled;
    });
  }

  /** Every variable with its key (`conv1.weight`, ..., `layer4.1.bn2.running_var`), params then buffers. */
  entries(): Array<[string, tf.Variable]> {
    return this.store.entries();
  }

  get variables(): tf.Variable[] {
    return [...this.store.params.values()];
  }

  get buffers(): tf.Variable[] {
    return [...this.store.buffers.values()];
  }

  get normParams(): tf.Variable[] {
    return [...this.store.norm];
  }

  get biasParams(): tf.Variable[] {
    return [...this.store.bias];
  }

  /**
   * Trained parameters in fastai's resnet split: [stem + layer1 + layer2, layer3 + layer4] and,
   * with a top, [fc] as a third group.
   */
  paramGroups(): tf.Variable[][] {
    const under = (...prefixes: string[]) =>
      [...this.store.params].filter(([k]) => prefixes.some((p) => k.startsWith(p))).map(([, v]) => v);
    const groups = [under("conv1.", "bn1.", "layer1.", "layer2."), under("layer3.", "layer4.")];
    return this.#fc ? [...groups, under("fc.")] : groups;
  }

  /** Frees every variable. */
  dispose(): void {
    this.store.dispose();
  }
}

/** A ResNet architecture: builds a fresh model; `archName` and `blocks` describe it. */
export interface ResNetArch {
  (opts?: ResNetOptions): ResNet;
  readonly archName: string;
  readonly blocks: readonly number[];
}

function arch(name: string, blocks: readonly number[]): ResNetArch {
  const fn = (opts?: ResNetOptions) => new ResNet(name, blocks, opts);
  return Object.assign(fn, { archName: name, blocks: Object.freeze([...blocks]) });
}

/** ResNet-18: BasicBlocks [2, 2, 2, 2]; 11,689,512 parameters with the 1000-class top. */
export const resnet18: ResNetArch = arch("resnet18", [2, 2, 2, 2]);
/** ResNet-34: BasicBlocks [3, 4, 6, 3]; 21,797,672 parameters with the 1000-class top. */
export const resnet34: ResNetArch = arch("resnet34", [3, 4, 6, 3]);
