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
