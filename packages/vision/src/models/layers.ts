/**
 * The few layers a ResNet and its head need, as small objects over a ParamStore. Layouts are
 * tfjs's (NHWC activations, conv kernels [kh, kw, in, out], linear weights [in, out]); initial
 * values and numerics follow torchvision / PyTorch (padding, batch-norm momentum and epsilon,
 * unbiased running variance), so converted torchvision weights give the same outputs.
 */
import * as tf from "@tensorflow/tfjs";
import { batchNormTrainOp, conv2dSame } from "./ops.js";
import type { ParamStore } from "./params.js";

/** Anything with a forward pass. */
export interface Layer {
  call(x: tf.Tensor, training: boolean): tf.Tensor;
}

/** Pads height and width by `p` on every side (PyTorch's symmetric `padding`). */
function pad2d(x: tf.Tensor, p: number): tf.Tensor4D {
  return tf.pad(x, [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ]) as tf.Tensor4D;
}

/** A bias-free 2-D convolution with PyTorch's `padding = k // 2`, He-normal (fan-out) init as torchvision. */
export class Conv2d implements Layer {
  readonly weight: tf.Variable;
  readonly #stride: number;
  readonly #pad: number;
  readonly #same: boolean;

  constructor(store: ParamStore, key: string, cin: number, cout: number, k: number, stride = 1) {
    const std = Math.sqrt(2 / (cout * k * k));
    this.weight = store.param(
      `${key}.weight`,
      store.normal(`${key}.weight`, [k, k, cin, cout], std),
      "weight",
    );
    this.#stride = stride;
    this.#pad = Math.floor(k / 2);
    // With stride 1, tfjs "same" is exactly PyTorch's symmetric padding and needs no pad op.
    // With stride 2 "same" would pad only bottom/right, so pad explicitly as PyTorch does.
    this.#same = stride === 1 && k % 2 === 1;
  }

  call(x: tf.Tensor): tf.Tensor {
    const w = this.weight as tf.Tensor4D;
    if (this.#same) return conv2dSame(x as tf.Tensor4D, w);
    const input = this.#pad > 0 ? pad2d(x, this.#pad) : (x as tf.Tensor4D);
    return tf.conv2d(input, w, this.#stride, "valid");
  }
}

/** Options of a batch-norm layer. */
export interface BatchNormOptions {
  /** Initial bias (beta); fastai's head uses 1e-3. Default 0. */
  bias?: number;
}

/**
 * Batch normalisation over every axis but the last (channels): BatchNorm2d on NHWC, BatchNorm1d on
 * [b, f]. Training uses the batch statistics and updates the running ones (momentum 0.1, running
 * variance unbiased, as PyTorch); inference uses the running ones. eps 1e-5.
 */
export class BatchNorm implements Layer {
  static readonly momentum = 0.1;
  static readonly eps = 1e-5;
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly #train: (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor;

  constructor(store: ParamStore, key: string, n: number, opts: BatchNormOptions = {}) {
    this.weight = store.param(`${key}.weight`, tf.ones([n]), "norm");
    this.bias = store.param(`${key}.bias`, tf.fill([n], opts.bias ?? 0), "norm");
    this.runningMean = store.buffer(`${key}.running_mean`, tf.zeros([n]));
    this.runningVar = store.buffer(`${key}.running_var`, tf.ones([n]));
    this.#train = batchNormTrainOp(BatchNorm.eps, (mean, variance, count) =>
      this.#updateRunning(mean, variance, count),
    );
  }

  call(x: tf.Tensor, training: boolean): tf.Tensor {
    if (!training) {
      return tf.batchNorm(x, this.runningMean, this.runningVar, this.bias, this.weight, BatchNorm.eps);
    }
    return this.#train(x, this.weight, this.bias);
  }

  /** running ← (1 − momentum)·running + momentum·batch, with the unbiased batch variance (PyTorch). */
  #updateRunning(mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    const m = BatchNorm.momentum;
    const unbiased = count > 1 ? count / (count - 1) : 1;
    tf.tidy(() => {
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(variance, m * unbiased)));
    });
  }
}

/** How a Linear layer's weight starts. */
export type LinearInit = "torch-default" | "kaiming-normal";

/**
 * A fully connected layer, weight [in, out]. "torch-default" is PyTorch's nn.Linear init
 * (uniform ±1/√in for weight and bias); "kaiming-normal" is fastai's head init (normal with std
 * √(2/in), bias 0).
 */
export class Linear implements Layer {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | undefined;

  constructor(store: ParamStore, key: string, nIn: number, nOut: number, useBias: boolean, init: LinearInit) {
    const bound = 1 / Math.sqrt(nIn);
    const w =
      init === "kaiming-normal"
        ? store.normal(`${key}.weight`, [nIn, nOut], Math.sqrt(2 / nIn))
        : store.uniform(`${key}.weight`, [nIn, nOut], bound);
    this.weight = store.param(`${key}.weight`, w, "weight");
    if (useBias) {
      const b = init === "kaiming-normal" ? tf.zeros([nOut]) : store.uniform(`${key}.bias`, [nOut], bound);
      this.bias = store.param(`${key}.bias`, b, "bias");
    }
  }

  call(x: tf.Tensor): tf.Tensor {
    const y = tf.matMul(x as tf.Tensor2D, this.weight as tf.Tensor2D);
    return this.bias ? tf.add(y, this.bias) : y;
  }
}
