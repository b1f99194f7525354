import { initBackend } from "@sched/learner";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadDigits, loadIris } from "./heldout.js";
import { HELDOUT_TASKS, TASKS, taskByName } from "./index.js";
import { loadMnist, MNIST_TRAIN } from "./mnist.js";
import { loadOptdigits } from "./optdigits.js";
import { columnStats, splitIndices, standardize } from "./prep.js";
import { loadShakespeare, SEQ_LEN } from "./shakespeare.js";
import { loadBreastCancer, loadDiabetes, loadWine } from "./tabular.js";

beforeAll(async () => {
  await initBackend();
});

const counts = (t: tf.Tensor, k: number) => {
  const out = new Array<number>(k).fill(0);
  for (const v of t.dataSync()) out[v] = (out[v] as number) + 1;
  return out;
};

/** Column means and standard deviations of a 2-d tensor, read on the host. */
function moments(t: tf.Tensor): { mean: number[]; std: number[] } {
  const [n, d] = t.shape as [number, number];
  const v = t.dataSync();
  const rows = Array.from({ length: n }, (_, i) => Array.from(v.subarray(i * d, (i + 1) * d)));
  return columnStats(rows);
}

describe("prep", () => {
  it("standardises with the given statistics; a constant column maps to 0", () => {
    const rows = [
      [1, 5],
      [3, 5],
    ];
    const s = columnStats(rows);
    expect(s.mean).toEqual([2, 5]);
    expect(s.std).toEqual([1, 1]);
    expect(Array.from(standardize([[4, 5]], s))).toEqual([2, 0]);
  });

  it("splits the same way for a seed, disjoint and complete", () => {
    const a = splitIndices(10, 0.2, 0);
    expect(a).toEqual(splitIndices(10, 0.2, 0));
    expect(a.valid).toHaveLength(2);
    expect([...a.train, ...a.valid].sort((x, y) => x - y)).toEqual([...Array(10).keys()]);
  });
});

describe("task loaders", () => {
  it("optdigits: the README's class counts; training columns standardised", () => {
    const d = loadOptdigits();
    expect(counts(d.train[1], 10)).toEqual([376, 389, 380, 389, 387, 376, 377, 387, 380, 382]);
    expect(counts(d.valid[1], 10)).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    const m = moments(d.train[0]);
    for (const [j, mu] of m.mean.entries()) {
      expect(Math.abs(mu)).toBeLessThan(1e-4);
      // Constant columns (always 0 in training) keep std 1 in columnStats and become all zeros.
      expect(m.std[j] === 1 || Math.abs((m.std[j] as number) - 1) < 1e-4).toBe(true);
    }
    d.dispose();
  });

  it("mnist: 8,000 / 2,000 in file order, the README's label counts and pixel mean", () => {
    const before = tf.memory().numTensors;
    const d = loadMnist();
    expect(d.train[0].shape).toEqual([MNIST_TRAIN, 28, 28, 1]);
    expect(d.valid[0].shape).toEqual([2000, 28, 28, 1]);
    const all = counts(d.train[1], 10).map((c, i) => c + (counts(d.valid[1], 10)[i] as number));
    expect(all).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    const px = (t: tf.Tensor) => tf.tidy(() => t.sum().dataSync()[0] as number);
    const meanPixel = ((px(d.train[0]) + px(d.valid[0])) / (10000 * 784)) * 255;
    expect(meanPixel).toBeCloseTo(33.79, 1);
    d.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("tables: 80/20 split, x (and diabetes' y) standardised on the training rows", () => {
    const b = loadBreastCancer();
    expect([b.train[0].shape, b.valid[0].shape]).toEqual([
      [456, 30],
      [113, 30],
    ]);
    expect((counts(b.train[1], 2)[0] as number) + (counts(b.valid[1], 2)[0] as number)).toBe(212); // malignant, per the data README
    b.dispose();
    const w = loadWine();
    expect([w.train[0].shape[0], w.valid[0].shape[0]]).toEqual([143, 35]);
    for (const mu of moments(w.train[0]).mean) expect(Math.abs(mu)).toBeLessThan(1e-4);
    w.dispose();
    const d = loadDiabetes();
    expect([d.train[1].shape, d.valid[1].shape]).toEqual([
      [354, 1],
      [88, 1],
    ]);
    const y = moments(d.train[1]);
    expect(Math.abs(y.mean[0] as number)).toBeLessThan(1e-4);
    expect(y.std[0]).toBeCloseTo(1, 4);
    d.dispose();
  });

  it("iris: 120 / 30 rows of 4, 50 per class, training columns standardised; nothing leaks", () => {
    const before = tf.memory().numTensors;
    const d = loadIris();
    expect([d.train[0].shape, d.valid[0].shape]).toEqual([
      [120, 4],
      [30, 4],
    ]);
    const all = counts(d.train[1], 3).map((c, i) => c + (counts(d.valid[1], 3)[i] as number));
    expect(all).toEqual([50, 50, 50]); // per the data README
    const m = moments(d.train[0]);
    for (const [j, mu] of m.mean.entries()) {
      expect(Math.abs(mu)).toBeLessThan(1e-4);
      expect(m.std[j]).toBeCloseTo(1, 4);
    }
    d.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("digits: 1,438 / 359 images 8×8×1 in 0..1, optdigits.tes' class counts; nothing leaks", () => {
    const before = tf.memory().numTensors;
    const d = loadDigits();
    expect([d.train[0].shape, d.valid[0].shape]).toEqual([
      [1438, 8, 8, 1],
      [359, 8, 8, 1],
    ]);
    // The README says digits.csv is optdigits.tes, so the classes add up to the .tes counts.
    const all = counts(d.train[1], 10).map((c, i) => c + (counts(d.valid[1], 10)[i] as number));
    expect(all).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    for (const x of [d.train[0], d.valid[0]]) {
      const [lo, hi] = tf.tidy(() => [x.min().dataSync()[0], x.max().dataSync()[0]]);
      expect([lo, hi]).toEqual([0, 1]);
    }
    d.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("tinyshakespeare: 65 ids, targets are the inputs shifted by one character", () => {
    const d = loadShakespeare();
    const x = d.train[0].dataSync();
    const y = d.train[1].dataSync();
    expect(Array.from(y).reduce((a, b) => Math.max(a, b), 0)).toBe(64);
    for (let t = 0; t < SEQ_LEN - 1; t++) expect(y[t]).toBe(x[t + 1]);
    d.dispose();
  });
});

describe("a split per seed", () => {
  /** The rows of a 2-d tensor as strings, to compare row sets between loads. */
  const rowsOf = (t: tf.Tensor) => {
    const [n, d] = t.shape as [number, number];
    const v = t.dataSync();
    return Array.from({ length: n }, (_, i) => Array.from(v.subarray(i * d, (i + 1) * d)).join(","));
  };

  it("only the seeded-split tasks draw another split; load() is the usual split 0", () => {
    expect(TASKS.filter((t) => t.randomSplit).map((t) => t.name)).toEqual([
      "breast_cancer",
      "wine",
      "diabetes",
    ]);
    expect(HELDOUT_TASKS.every((t) => t.randomSplit)).toBe(true);
    const a = loadWine();
    const b = loadWine(0);
    expect(a.valid[1].dataSync()).toEqual(b.valid[1].dataSync());
    expect(rowsOf(a.valid[0])).toEqual(rowsOf(b.valid[0]));
    a.dispose();
    b.dispose();
  });

  it("another seed: the same sizes and classes, other validation rows, standardised on its own training rows; nothing leaks", () => {
    const before = tf.memory().numTensors;
    for (const load of [loadWine, loadBreastCancer, loadIris]) {
      const [a, b] = [load(0), load(3)];
      expect(b.train[0].shape).toEqual(a.train[0].shape);
      expect(b.valid[0].shape).toEqual(a.valid[0].shape);
      const k = 3;
      const classes = (d: typeof a) =>
        counts(d.train[1], k).map((c, i) => c + (counts(d.valid[1], k)[i] as number));
      expect(classes(b)).toEqual(classes(a));
      for (const mu of moments(b.train[0]).mean) expect(Math.abs(mu)).toBeLessThan(1e-4);
      // Standardised with other statistics, so the rows differ anyway: the labels show another split.
      expect(Array.from(b.valid[1].dataSync())).not.toEqual(Array.from(a.valid[1].dataSync()));
      a.dispose();
      b.dispose();
    }
    // Digits are not standardised, so rows compare across splits: most validation images differ.
    const [d0, d5] = [loadDigits(0), loadDigits(5)];
    expect(d5.valid[0].shape).toEqual([359, 8, 8, 1]);
    const images = (d: typeof d0) => tf.tidy(() => rowsOf(d.valid[0].reshape([359, 64])));
    const first = new Set(images(d0));
    expect(images(d5).filter((r) => first.has(r)).length).toBeLessThan(359 / 2);
    d0.dispose();
    d5.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("task models", () => {
  it("every model is seeded: same seed, same weights; another seed, other weights", () => {
    for (const task of [...TASKS, ...HELDOUT_TASKS]) {
      const [a, b, c] = [task.model(3), task.model(3), task.model(4)];
      const w = (m: tf.LayersModel) => Array.from(m.getWeights()[0]?.dataSync() ?? []);
      expect(w(a)).toEqual(w(b));
      expect(w(a)).not.toEqual(w(c));
      for (const m of [a, b, c]) m.dispose();
    }
  });

  it("taskByName finds the held-out tasks too and names every known task when it fails", () => {
    expect(taskByName("wine").kind).toBe("classification");
    expect(taskByName("digits")).toBe(HELDOUT_TASKS[1]);
    expect(TASKS.map((t) => t.name)).not.toContain("iris");
    expect(() => taskByName("cifar")).toThrow(
      /unknown task cifar; known: optdigits, mnist, .*, iris, digits$/,
    );
  });
});
