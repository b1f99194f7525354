/** UCI optdigits: 8×8 digit images as 64 counts 0–16; `.tra` (3,823) trains, `.tes` (1,797) validates. */
import * as tf from "@tensorflow/tfjs";
import { numberRows, readData } from "./files.js";
import { mlp } from "./models.js";
import { columnStats, standardize } from "./prep.js";
import type { Task, TaskData } from "./task.js";

function split(file: string): { x: number[][]; y: number[] } {
  const rows = numberRows(readData(`optdigits/${file}`).toString("utf8"));
  return { x: rows.map((r) => r.slice(0, 64)), y: rows.map((r) => r[64] as number) };
}

/** Both splits, features standardised with the training split's statistics. */
export function loadOptdigits(): TaskData {
  const tra = split("optdigits.tra");
  const tes = split("optdigits.tes");
  const stats = columnStats(tra.x);
  const t = [
    tf.tensor2d(standardize(tra.x, stats), [tra.x.length, 64]),
    tf.tensor1d(tra.y, "int32"),
    tf.tensor2d(standardize(tes.x, stats), [tes.x.length, 64]),
    tf.tensor1d(tes.y, "int32"),
  ] as const;
  return { train: [t[0], t[1]], valid: [t[2], t[3]], dispose: () => tf.dispose([...t]) };
}

export const optdigits: Task = {
  name: "optdigits",
  describe: "UCI optdigits, train .tra 3,823 / valid .tes 1,797, standardised; MLP 64-128-64-10, bs 64",
  kind: "classification",
  bs: 64,
  epochs: 8,
  load: loadOptdigits,
  randomSplit: false,
  model: (seed) => mlp([64, 128, 64, 10], seed),
};
