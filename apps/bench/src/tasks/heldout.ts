/**
 * Held-out tasks: no part in designing the `halfway` suggestion, so its regret here is an honest check.
 * Their budgets were fixed when the tasks were written, before any regret run, and are not tuned after.
 */
import * as tf from "@tensorflow/tfjs";
import { numberRows, readData } from "./files.js";
import { mlp, smallCnn } from "./models.js";
import { splitIndices } from "./prep.js";
import { SPLIT, sklearnCsv, tabularData } from "./tabular.js";
import type { Task, TaskData } from "./task.js";

/** The digits images are 8×8 counts of set pixels in 4×4 blocks, so 16 is the largest value. */
const DIGITS_MAX = 16;
const SIDE = 8;

/** Iris with the tabular tasks' split and standardisation, so only the data and model are new. */
export function loadIris(splitSeed?: number): TaskData {
  const { x, y } = sklearnCsv("iris.csv");
  return tabularData(x, y, "classification", splitSeed);
}

/** sklearn digits as [n, 8, 8, 1] images scaled to 0..1 (like MNIST's /255), split as the tables are. */
export function loadDigits(splitSeed: number = SPLIT.seed): TaskData {
  const rows = numberRows(readData("sklearn/digits.csv.gz").toString("utf8"), /,/);
  const px = SIDE * SIDE;
  if (rows.length !== 1797 || rows.some((r) => r.length !== px + 1)) {
    throw new Error("bench: digits should hold 1,797 rows of 64 pixels + label");
  }
  const { train, valid } = splitIndices(rows.length, SPLIT.validPct, splitSeed);
  const images = (idx: number[]) => {
    const out = new Float32Array(idx.length * px);
    idx.forEach((r, i) => {
      const row = rows[r] as number[];
      for (let j = 0; j < px; j++) out[i * px + j] = (row[j] as number) / DIGITS_MAX;
    });
    return tf.tensor4d(out, [idx.length, SIDE, SIDE, 1]);
  };
  const labels = (idx: number[]) =>
    tf.tensor1d(
      idx.map((r) => (rows[r] as number[])[px] as number),
      "int32",
    );
  const t = [images(train), labels(train), images(valid), labels(valid)] as const;
  return { train: [t[0], t[1]], valid: [t[2], t[3]], dispose: () => tf.dispose([...t]) };
}

/** Iris: 120 training rows at bs 16 give 8 steps per epoch, so 15 epochs are 120 steps. */
export const iris: Task = {
  name: "iris",
  describe:
    "iris 150×4, seeded 80/20 split (120/30), standardised; MLP 4-16-3, bs 16; budget fixed before any regret run",
  kind: "classification",
  bs: 16,
  epochs: 15,
  load: loadIris,
  randomSplit: true,
  model: (seed) => mlp([4, 16, 3], seed),
};

/** Digits: the same images as optdigits' validation file, here split 80/20 and fed to a CNN. */
export const digits: Task = {
  name: "digits",
  describe:
    "sklearn digits 1,797 8×8, seeded 80/20 split (1,438/359), pixels /16; CNN conv16-conv32/2-dense10, bs 32; budget fixed before any regret run",
  kind: "classification",
  bs: 32,
  epochs: 6,
  load: loadDigits,
  randomSplit: true,
  // "same" padding and a first stride of 1: an 8×8 image has few pixels to lose.
  model: (seed) => smallCnn({ side: SIDE, firstStride: 1, padding: "same" }, seed),
};
