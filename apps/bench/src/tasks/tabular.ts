/** scikit-learn's bundled tables: breast cancer and wine (classification), diabetes (regression). */
import * as tf from "@tensorflow/tfjs";
import { numberRows, readData } from "./files.js";
import { mlp } from "./models.js";
import { columnStats, splitIndices, standardize } from "./prep.js";
import type { Task, TaskData } from "./task.js";

/** The usual split (seed 0, 20% valid), the same whatever the training seed unless a study asks for another. */
export const SPLIT = { validPct: 0.2, seed: 0 } as const;

/** iris/wine/breast_cancer layout: a metadata line `n,d,...`, then d features and the class per line. */
export function sklearnCsv(file: string): { x: number[][]; y: number[] } {
  const [head = "", ...lines] = readData(`sklearn/${file}`).toString("utf8").split("\n");
  const [n, d] = head.split(",").map(Number) as [number, number];
  const rows = numberRows(lines.join("\n"), /,/);
  if (rows.length !== n || rows.some((r) => r.length !== d + 1)) {
    throw new Error(`bench: ${file} should hold ${n} rows of ${d} features + class`);
  }
  return { x: rows.map((r) => r.slice(0, d)), y: rows.map((r) => r[d] as number) };
}

/** Splits (seeded by `splitSeed`), standardises x (and y for regression) with training statistics, builds the tensors. */
export function tabularData(
  x: number[][],
  y: number[],
  kind: Task["kind"],
  splitSeed: number = SPLIT.seed,
): TaskData {
  const { train, valid } = splitIndices(x.length, SPLIT.validPct, splitSeed);
  const pick = <T>(a: T[], idx: number[]) => idx.map((i) => a[i] as T);
  const xs = columnStats(pick(x, train));
  const d = x[0]?.length ?? 0;
  const xt = (idx: number[]) => tf.tensor2d(standardize(pick(x, idx), xs), [idx.length, d]);
  let yt: (idx: number[]) => tf.Tensor;
  if (kind === "regression") {
    const ys = columnStats(pick(y, train).map((v) => [v]));
    yt = (idx) =>
      tf.tensor2d(
        standardize(
          pick(y, idx).map((v) => [v]),
          ys,
        ),
        [idx.length, 1],
      );
  } else {
    yt = (idx) => tf.tensor1d(pick(y, idx), "int32");
  }
  const t = [xt(train), yt(train), xt(valid), yt(valid)] as const;
  return { train: [t[0], t[1]], valid: [t[2], t[3]], dispose: () => tf.dispose([...t]) };
}

export function loadBreastCancer(splitSeed?: number): TaskData {
  const { x, y } = sklearnCsv("breast_cancer.csv");
  return tabularData(x, y, "classification", splitSeed);
}

export function loadWine(splitSeed?: number): TaskData {
  const { x, y } = sklearnCsv("wine_data.csv");
  return tabularData(x, y, "classification", splitSeed);
}

/** Raw (unscaled) diabetes features, whitespace-separated, and the progression target. */
export function loadDiabetes(splitSeed?: number): TaskData {
  const x = numberRows(readData("sklearn/diabetes_data_raw.csv.gz").toString("utf8"));
  const y = numberRows(readData("sklearn/diabetes_target.csv.gz").toString("utf8")).map(
    (r) => r[0] as number,
  );
  if (x.length !== 442 || y.length !== 442 || x.some((r) => r.length !== 10)) {
    throw new Error("bench: diabetes should hold 442 rows of 10 features and 442 targets");
  }
  return tabularData(x, y, "regression", splitSeed);
}

export const breastCancer: Task = {
  name: "breast_cancer",
  describe: "WDBC 569×30, seeded 80/20 split (456/113), standardised; MLP 30-32-2, bs 32",
  kind: "classification",
  bs: 32,
  epochs: 10,
  load: loadBreastCancer,
  randomSplit: true,
  model: (seed) => mlp([30, 32, 2], seed),
};

export const wine: Task = {
  name: "wine",
  describe: "wine 178×13, seeded 80/20 split (143/35), standardised; MLP 13-32-3, bs 16",
  kind: "classification",
  bs: 16,
  epochs: 15,
  load: loadWine,
  randomSplit: true,
  model: (seed) => mlp([13, 32, 3], seed),
};

export const diabetes: Task = {
  name: "diabetes",
  describe: "diabetes 442×10, seeded 80/20 split (354/88), X and y standardised; MLP 10-32-1, MSE, bs 32",
  kind: "regression",
  bs: 32,
  epochs: 20,
  load: loadDiabetes,
  randomSplit: true,
  model: (seed) => mlp([10, 32, 1], seed),
};
