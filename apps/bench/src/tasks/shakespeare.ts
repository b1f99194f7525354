/** tinyshakespeare: next-character prediction on short windows (first 90% of the text trains). */

import { Rng } from "@sched/learner";
import * as tf from "@tensorflow/tfjs";
import { readData } from "./files.js";
import { glorot } from "./models.js";
import type { Task, TaskData } from "./task.js";

export const SEQ_LEN = 64;
const N_TRAIN = 4096;
const N_VALID = 512;

/** Character ids by the sorted unique character set (65 for this corpus). */
export function vocabulary(text: string): { chars: string[]; ids: Int32Array } {
  const chars = [...new Set(text)].sort();
  const index = new Map(chars.map((c, i) => [c, i]));
  return { chars, ids: Int32Array.from(text, (c) => index.get(c) as number) };
}

/** `n` windows at seeded random starts in `[from, to − SEQ_LEN − 1]`: inputs and next-char targets. */
function windows(ids: Int32Array, from: number, to: number, n: number, seed: number): [tf.Tensor, tf.Tensor] {
  const rng = new Rng(seed);
  const x = new Float32Array(n * SEQ_LEN);
  const y = new Int32Array(n * SEQ_LEN);
  for (let k = 0; k < n; k++) {
    const s = from + rng.int(to - from - SEQ_LEN - 1);
    for (let t = 0; t < SEQ_LEN; t++) {
      x[k * SEQ_LEN + t] = ids[s + t] as number;
      y[k * SEQ_LEN + t] = ids[s + t + 1] as number;
    }
  }
  return [tf.tensor2d(x, [n, SEQ_LEN]), tf.tensor2d(y, [n, SEQ_LEN], "int32")];
}

/** 4,096 training windows from the first 90% and 512 validation windows from the last 10% (fixed seeds). */
export function loadShakespeare(): TaskData {
  const { chars, ids } = vocabulary(readData("tinyshakespeare/input.txt").toString("latin1"));
  if (chars.length !== 65)
    throw new Error(`bench: tinyshakespeare has ${chars.length} characters, expected 65`);
  const cut = Math.floor(0.9 * ids.length);
  const train = windows(ids, 0, cut, N_TRAIN, 1);
  const valid = windows(ids, cut, ids.length, N_VALID, 2);
  return { train, valid, dispose: () => tf.dispose([...train, ...valid]) };
}

/**
 * Embedding 16 → two causal convolutions ×64 (kernel 5; receptive field 9 characters) → dense 65 per
 * position. tfjs-layers has no causal conv1d, so each one is a conv2d with a (5, 1) kernel over the
 * sequence laid out as [len, 1, channels], after 4 rows of zeros in front.
 */
export function charConv(seed: number): tf.Sequential {
  const causal = (k: number) => [
    tf.layers.zeroPadding2d({
      padding: [
        [4, 0],
        [0, 0],
      ],
    }),
    tf.layers.conv2d({
      filters: 64,
      kernelSize: [5, 1],
      activation: "relu",
      kernelInitializer: glorot(seed, k),
    }),
  ];
  return tf.sequential({
    layers: [
      tf.layers.embedding({
        inputDim: 65,
        outputDim: 16,
        inputLength: SEQ_LEN,
        embeddingsInitializer: tf.initializers.randomUniform({
          minval: -0.05,
          maxval: 0.05,
          seed: seed * 100,
        }),
      }),
      tf.layers.reshape({ targetShape: [SEQ_LEN, 1, 16] }),
      ...causal(1),
      ...causal(2),
      tf.layers.reshape({ targetShape: [SEQ_LEN, 64] }),
      tf.layers.dense({ units: 65, kernelInitializer: glorot(seed, 3) }),
    ],
  });
}

export const shakespeare: Task = {
  name: "tinyshakespeare",
  describe: `tinyshakespeare, ${N_TRAIN} train windows (first 90%) / ${N_VALID} valid (last 10%) of ${SEQ_LEN} chars; causal conv net (emb16, conv64 k5, conv64 k5, dense65 per position), bs 64`,
  kind: "classification",
  bs: 64,
  epochs: 3,
  load: loadShakespeare,
  randomSplit: false,
  model: charConv,
};
