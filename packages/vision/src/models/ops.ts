/**
 * Three ops with hand-written gradients, because tfjs's generic ones are slow for a ResNet:
 *
 * - `conv2dSame`: libtensorflow's Conv2DBackpropInput (without oneDNN, tfjs-node's default here)
 *   takes ~30× longer than a forward convolution on small feature maps with many channels
 *   (2×2×512: ~100 ms against ~3 ms). The input gradient of a stride-1 "same" convolution is itself
 *   a "same" convolution of the output gradient with the kernel flipped and its channels swapped,
 *   so it is computed as one.
 * - `batchNormTrain`: the closed-form batch-norm gradient (about ten kernels) instead of
 *   differentiating through `moments` and `batchNorm` (about thirty).
 * - `relu`: `dy · (y > 0)` instead of tfjs's `step`, which libtensorflow runs as five kernels.
 *
 * The values are exactly the plain ops'; gradients agree to float32 rounding (see ops.test.ts).
 */
import * as tf from "@tensorflow/tfjs";

type Forward = (
  inputs: tf.Tensor[],
  save: tf.GradSaveFunc,
) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] };

/** tf.customGrad with the inputs as an array (its own typing mixes them with the save function). */
function withGrad(f: Forward): (...inputs: tf.Tensor[]) => tf.Tensor {
  return tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args.pop() as tf.GradSaveFunc;
    return f(args as tf.Tensor[], save);
  });
}

function filterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[]): tf.Tensor4D {
  return tf
    .engine()
    .runKernel(
      "Conv2DBackpropFilter",
      { x, dy },
      { strides: [1, 1], pad: "same", dataFormat: "NHWC", filterShape },
    ) as tf.Tensor4D;
}

/** The input gradient of a stride-1 "same" correlation: a "same" correlation with the flipped, channel-swapped kernel. */
function inputGrad(dy: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  const flipped = tf.transpose(tf.reverse(w, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  return tf.conv2d(dy, flipped, 1, "same");
}

const conv2dSameOp = withGrad(([x, w], save) => {
  save([x as tf.Tensor, w as tf.Tensor]);
  return {
    value: tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same"),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D];
      return [inputGrad(dy as tf.Tensor4D, sw), filterGrad(sx, dy as tf.Tensor4D, sw.shape)];
    },
  };
});

/** `tf.conv2d(x, w, 1, "same")` for an odd square kernel, with the fast input gradient. */
export function conv2dSame(x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  return conv2dSameOp(x, w) as tf.Tensor4D;
}

const reluOp = withGrad(([x], save) => {
  const y = tf.relu(x as tf.Tensor);
  save([y]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor, [sy]: tf.Tensor[]) =>
      tf.mul(dy, tf.cast(tf.greater(sy as tf.Tensor, 0), dy.dtype)),
  };
});

/** `tf.relu(x)` with a three-kernel gradient. */
export function relu<T extends tf.Tensor>(x: T): T {
  return reluOp(x) as T;
}

/** Receives a training batch's mean and biased variance (e.g. to update running statistics). */
export type StatsSink = (mean: tf.Tensor1D, variance: tf.Tensor1D, count: number) => void;

/**
 * A training-mode batch-norm op over every axis but the last: `y = γ·(x − μ)/√(σ² + eps) + β` with
 * the batch's μ and biased σ², handed to `onStats` (outside the gradient) before returning.
 */
export function batchNormTrainOp(eps: number, onStats: StatsSink) {
  return withGrad(([x, gamma, beta], save) => {
    if (!x || !gamma || !beta) throw new Error("batchNormTrain: expects x, gamma and beta");
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const { mean, variance } = tf.moments(x, axes);
    const count = x.size / (x.shape[x.rank - 1] as number);
    onStats(mean as tf.Tensor1D, variance as tf.Tensor1D, count);
    const rstd = tf.rsqrt(tf.add(variance, eps));
    save([x, mean, rstd, gamma]);
    return {
      value: tf.batchNorm(x, mean, variance, beta, gamma, eps),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sMean, sRstd, sGamma] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        const xhat = tf.mul(tf.sub(sx, sMean), sRstd);
        const dBeta = tf.sum(dy, axes);
        const dGamma = tf.sum(tf.mul(dy, xhat), axes);
        // dx = γ·rstd/N · (N·dy − Σdy − x̂·Σ(dy·x̂))
        const inner = tf.sub(tf.sub(tf.mul(dy, count), dBeta), tf.mul(xhat, dGamma));
        const dx = tf.mul(inner, tf.div(tf.mul(sGamma, sRstd), count));
        return [dx, dGamma, dBeta];
      },
    };
  });
}
