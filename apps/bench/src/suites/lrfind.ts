/**
 * `lrFind` wall time against the same number of plain training steps of the same learner, side by
 * side, for a small MLP and a small CNN.
 *
 * Fairness: both candidates train the same Learner (same model, Adam, same DataLoader of `numIt`
 * batches) under `noLogging`, with no validation (the baseline's valid loader is empty; the finder
 * cancels validation). lrFind runs with `stopDiv: false` and `endLr: 1` so that it makes exactly
 * `numIt` iterations like the baseline (checked after every call), instead of stopping early on
 * divergence, which would flatter it. A third candidate is the plain fit plus a callback reading
 * `learn.smoothLoss` after every batch: the per-batch device read the finder needs for its stop rule,
 * measured on its own. lrFind also pays for its in-memory snapshot (clones, no copy), a copy of the
 * optimizer, the restore and the suggestion analysis. The bench checks that lrFind leaves no tensor
 * behind and writes no file under the learner's path.
 */

import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { lrFind } from "@sched/callbacks";
import {
  Adam,
  type BatchLoader,
  type Callback,
  DataLoader,
  initBackend,
  Learner,
  mseLoss,
  Rng,
} from "@sched/learner";
import * as tf from "@tensorflow/tfjs";
import { compare } from "../measure.js";
import { table, writeSection } from "../results.js";
import type { Suite } from "../suite.js";

const NUM_IT = 100;

interface Case {
  name: string;
  inputShape: number[];
  bs: number;
  rounds: number;
  build: () => tf.Sequential;
}

const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });

const MLP: Case = {
  name: "MLP 16→32→32→1",
  inputShape: [16],
  bs: 64,
  rounds: 41,
  build: () =>
    tf.sequential({
      layers: [
        tf.layers.dense({ units: 32, activation: "relu", inputShape: [16], kernelInitializer: glorot(1) }),
        tf.layers.dense({ units: 32, activation: "relu", kernelInitializer: glorot(2) }),
        tf.layers.dense({ units: 1, kernelInitializer: glorot(3) }),
      ],
    }),
};

const CNN: Case = {
  name: "CNN 28×28: conv16-pool-conv32-pool-dense1",
  inputShape: [28, 28, 1],
  bs: 32,
  rounds: 21,
  build: () =>
    tf.sequential({
      layers: [
        tf.layers.conv2d({
          filters: 16,
          kernelSize: 3,
          activation: "relu",
          inputShape: [28, 28, 1],
          kernelInitializer: glorot(1),
        }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: "relu", kernelInitializer: glorot(2) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 1, kernelInitializer: glorot(3) }),
      ],
    }),
};

const empty: BatchLoader = { length: 0, async *[Symbol.asyncIterator]() {} };

/** Reads the smoothed loss after every training batch, as the finder's stop rule does. */
const readEveryBatch: Callback = {
  name: "ReadSmoothLoss",
  order: 60,
  runValid: false,
  after_batch: (l) => {
    if (!Number.isFinite(l.smoothLoss)) throw new Error("bench: non-finite smoothed loss");
  },
};

/** The learner's weights, optimizer state and loader position now, and a way back to them. */
function startingPoint(learn: Learner<tf.LayersModel, { train: DataLoader; valid: BatchLoader }>) {
  const vars = [...learn.module.variables, ...(learn.module.buffers ?? [])];
  const values = vars.map((v) => tf.keep(v.clone()));
  const opt = learn.opt;
  if (!opt) throw new Error("bench: the learner has no optimizer yet");
  const sd = opt.stateDict();
  const epoch = learn.dls.train.epoch;
  return {
    reset() {
      vars.forEach((v, i) => {
        v.assign(values[i] as tf.Tensor);
      });
      opt.loadStateDict(sd);
      learn.dls.train.epoch = epoch;
    },
    dispose() {
      tf.dispose(values);
      for (const s of sd.state) for (const t of Object.values(s)) if (typeof t !== "number") t.dispose();
    },
  };
}

async function runCase(c: Case, rounds: number) {
  const rng = new Rng(7);
  const n = c.bs * NUM_IT;
  const size = c.inputShape.reduce((a, b) => a * b, 1);
  const X = tf.tensor(rng.normalArray(n * size), [n, ...c.inputShape]);
  const Y = tf.tensor2d(rng.normalArray(n), [n, 1]);
  const train = DataLoader.fromTensors(X, Y, { bs: c.bs, shuffle: true, seed: 1 });
  tf.dispose([X, Y]);
  const path = mkdtempSync(join(tmpdir(), "bench-lrfind-"));
  const model = c.build();
  const learn = new Learner({ train, valid: empty }, model, {
    lossFunc: mseLoss,
    optFunc: (groups, o) => Adam(groups, { ...o, wd: 0 }),
    path,
  });
  try {
    const opts = { numIt: NUM_IT, endLr: 1, stopDiv: false } as const;
    let ran = 0;
    const find = async () => {
      await lrFind(learn, opts);
      ran = learn.recorder?.lrs.length ?? 0;
      if (ran !== NUM_IT) throw new Error(`bench: lrFind ran ${ran} iterations, expected ${NUM_IT}`);
    };
    const tensors = tf.memory().numTensors;
    await find(); // also builds the optimizer
    // Every call starts from the same weights, optimizer state and batch order, as lrFind's do (it
    // restores them): a CNN's step time depends on its weights, so a baseline that kept training
    // would drift away from what lrFind runs on. The reset (a few assigns) is timed with the baseline.
    const start = startingPoint(learn);
    const fit = (cbs: Callback[]) => async () => {
      start.reset();
      await learn.noLogging(() => learn.fit(1, { cbs }));
    };
    const cmp = await compare(
      {
        [`fit: ${NUM_IT} steps`]: fit([]),
        "fit + smoothLoss read / batch": fit([readEveryBatch]),
        lrFind: find,
      },
      { rounds, warmup: 1 },
    );
    start.reset();
    start.dispose();
    const before = tf.memory().numTensors;
    await find();
    const leaked = tf.memory().numTensors - before;
    const written = readdirSync(path);
    if (leaked !== 0) throw new Error(`bench: lrFind left ${leaked} tensor(s) behind`);
    if (written.length > 0 || existsSync(join(path, learn.modelDir))) {
      throw new Error(`bench: lrFind wrote under ${path}: ${written.join(", ")}`);
    }
    return { cmp, tensorsAtStart: tensors, filesWritten: written.length };
  } finally {
    learn.dispose();
    train.dispose();
    rmSync(path, { recursive: true, force: true });
  }
}

const suite: Suite = {
  name: "lrfind",
  title: "lrFind vs the same number of plain training steps",
  async run({ quick, command }) {
    const backend = await initBackend();
    tf.enableProdMode();
    console.log(`backend: ${backend}`);
    const rows: (string | number)[][] = [];
    // Other work on the machine shows in the ratios' noise: record the load around the run.
    const load = () => Number((loadavg()[0] ?? 0).toFixed(2));
    const loadBefore = load();
    const json: Record<string, unknown> = { backend, numIt: NUM_IT };
    for (const c of [MLP, CNN]) {
      const rounds = quick ? 5 : c.rounds;
      const { cmp, filesWritten } = await runCase(c, rounds);
      json[c.name] = { ...cmp, bs: c.bs, filesWritten };
      const base = cmp.seconds[`fit: ${NUM_IT} steps`] as number;
      for (const [cand, s] of Object.entries(cmp.seconds)) {
        const ratio = cmp.ratio[cand] as number;
        const extraMs = (s - base) * 1e3;
        rows.push([c.name, cand, (s * 1e3).toFixed(1), `${ratio.toFixed(3)}×`, extraMs.toFixed(1)]);
        console.log(
          `${c.name.padEnd(42)} ${cand.padEnd(30)} ${(s * 1e3).toFixed(1)} ms  ${ratio.toFixed(3)}×  ${extraMs.toFixed(1)} ms`,
        );
      }
    }
    json.loadAverage = { before: loadBefore, after: load() };
    const body = [
      `Wall time of one call, median over interleaved rounds; ratio = median of same-round time / the plain`,
      `fit of ${NUM_IT} batches. Target: lrFind ≤ 1.15×. Every candidate trains the same Learner (Adam, a`,
      `shuffled DataLoader of ${NUM_IT} batches, no validation) under noLogging, from the same weights,`,
      "optimizer state and batch order each call (the fits reset them first, timed; lrFind restores them); lrFind runs with",
      "`stopDiv: false, endLr: 1` so it makes all its iterations (checked), and its snapshot, optimizer copy,",
      "restore and suggestion analysis are included. `+ smoothLoss read / batch` is the plain fit with the",
      "finder's per-batch device read alone. Checked after the timing: lrFind leaves no tensor behind and",
      "writes no file (nothing under the learner's path).",
      `1-minute load average of the machine: ${loadBefore} before the run, ${load()} after.`,
      "",
      table(["model", "candidate", "ms / call", "ratio to fit", "ms over fit"], rows),
    ].join("\n");
    writeSection({ suite: "lrfind", title: suite.title, command, backend, body, json });
  },
};

export default suite;
