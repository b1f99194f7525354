/** Seeded model builders shared by the tasks (no dropout: the only randomness is the seeded init). */
import * as tf from "@tensorflow/tfjs";

/** A seeded Glorot-uniform initializer; layer `k` of a model gets seed `seed·100 + k`. */
export function glorot(seed: number, k: number): ReturnType<typeof tf.initializers.glorotUniform> {
  return tf.initializers.glorotUniform({ seed: seed * 100 + k });
}

/** Dense layers with ReLU between them, ending in `sizes.at(-1)` linear outputs (logits). */
export function mlp(sizes: readonly number[], seed: number): tf.Sequential {
  const [input, ...rest] = sizes;
  return tf.sequential({
    layers: rest.map((units, k) =>
      tf.layers.dense({
        units,
        activation: k < rest.length - 1 ? "relu" : "linear",
        kernelInitializer: glorot(seed, k),
        ...(k === 0 ? { inputShape: [input as number] } : {}),
      }),
    ),
  });
}

/** What sets the bench's small CNNs apart: the image size, the first conv's stride and the padding. */
export interface SmallCnnShape {
  side: number;
  firstStride: 1 | 2;
  padding: "valid" | "same";
}

/** conv 3×3 ×16 → conv 3×3/2 ×32 → dense 10, ReLU: small enough for dozens of trainings on 2 cores. */
export function smallCnn(shape: SmallCnnShape, seed: number): tf.Sequential {
  const conv = (filters: number, strides: number, k: number) =>
    tf.layers.conv2d({
      filters,
      kernelSize: 3,
      strides,
      padding: shape.padding,
      activation: "relu",
      kernelInitializer: glorot(seed, k),
      ...(k === 0 ? { inputShape: [shape.side, shape.side, 1] } : {}),
    });
  return tf.sequential({
    layers: [
      conv(16, shape.firstStride, 0),
      conv(32, 2, 1),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, kernelInitializer: glorot(seed, 2) }),
    ],
  });
}
