/**
 * Part 1: optdigits, the small real dataset the repository ships (apps/demo/data/optdigits, UCI,
 * CC BY 4.0). 8×8 digit images as 64 counts in 0..16; a two-layer MLP learns them in seconds.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { accuracy, crossEntropyLoss, DataLoaders, Learner } from "@sched/learner";
import * as tf from "@tensorflow/tfjs";
import { type ExperimentResult, findThenFit, type Plan, type Print } from "./experiment.js";

/** Where the shipped copy lives. */
export const OPTDIGITS_DIR = new URL("../data/optdigits/", import.meta.url);

/** The data and the model, with the data's licence, for the report. */
export const OPTDIGITS_ABOUT =
  "UCI Optical Recognition of Handwritten Digits (E. Alpaydin, C. Kaynak, 1998; CC BY 4.0), shipped in " +
  "apps/demo/data/optdigits: 3,823 training and 1,797 test digits, each 8×8 counts in 0..16.\n\n" +
  "Model: an MLP 64 → 128 (ReLU) → 10 with Adam and cross-entropy; metric: accuracy.";

/** One split of optdigits: row-major features scaled to [0, 1] and the digit of each row. */
export interface DigitsSplit {
  x: Float32Array;
  y: Int32Array;
  n: number;
}

/** Thrown when the shipped files are missing or malformed; names the file and the line. */
export class DatasetError extends Error {
  override name = "DatasetError";
}

/** Parses one optdigits file: 65 integers per line (64 features in 0..16, then the class 0..9). */
export function parseOptdigits(text: string, file: string): DigitsSplit {
  const lines = text.split("\n").filter((l) => l.trim() !== ""); // the test split ends with a blank line
  const x = new Float32Array(lines.length * 64);
  const y = new Int32Array(lines.length);
  lines.forEach((line, i) => {
    const cells = line.split(",").map(Number);
    const label = cells[64];
    if (
      cells.length !== 65 ||
      cells.some((v) => !Number.isInteger(v) || v < 0 || v > 16) ||
      label === undefined ||
      label > 9
    ) {
      throw new DatasetError(
        `${file}: line ${i + 1} is not 64 counts in 0..16 and a digit: ${JSON.stringify(line.slice(0, 40))}`,
      );
    }
    for (let j = 0; j < 64; j++) x[i * 64 + j] = (cells[j] as number) / 16;
    y[i] = label;
  });
  return { x, y, n: lines.length };
}

/** Reads the shipped training (3,823 rows) and test (1,797 rows) files. */
export function loadOptdigits(dir: URL = OPTDIGITS_DIR): { train: DigitsSplit; valid: DigitsSplit } {
  const read = (name: string) => {
    const file = join(fileURLToPath(dir), name);
    try {
      return parseOptdigits(readFileSync(file, "utf8"), file);
    } catch (err) {
      if (err instanceof DatasetError) throw err;
      throw new DatasetError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
  };
  return { train: read("optdigits.tra"), valid: read("optdigits.tes") };
}

function mlp(seed: number): tf.LayersModel {
  const init = (s: number) => tf.initializers.heNormal({ seed: seed + s });
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 128, activation: "relu", inputShape: [64], kernelInitializer: init(1) }),
      tf.layers.dense({ units: 10, kernelInitializer: init(2) }),
    ],
  });
}

/** Loads optdigits, runs lrFind and fitOneCycle on an MLP, frees everything it made. */
export async function runOptdigits(plan: Plan, print: Print): Promise<ExperimentResult> {
  const { train, valid } = loadOptdigits();
  print(`data: optdigits (UCI, CC BY 4.0), ${train.n} training and ${valid.n} validation digits, 8×8`);
  const tensors = [
    tf.tensor2d(train.x, [train.n, 64]),
    tf.tensor1d(train.y, "int32"),
    tf.tensor2d(valid.x, [valid.n, 64]),
    tf.tensor1d(valid.y, "int32"),
  ] as const;
  const dls = DataLoaders.fromTensors([tensors[0], tensors[1]], [tensors[2], tensors[3]], {
    bs: 64,
    seed: 0,
  });
  tf.dispose([...tensors]); // the loaders hold their own handles
  const learn = new Learner(dls, mlp(0), { lossFunc: crossEntropyLoss, metrics: [accuracy] });
  print("model: MLP 64 → 128 (ReLU) → 10, Adam, cross-entropy");
  try {
    return await findThenFit(learn, plan, print);
  } finally {
    learn.dispose();
    dls.dispose();
  }
}
