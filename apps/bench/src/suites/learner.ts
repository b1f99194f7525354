/**
 * Per-batch cost of `Learner.fit` (default callbacks: TrainEval, Recorder, epoch logger, progress bar)
 * against a hand-written tfjs loop doing the same math (same model, our Adam, same batches) and against
 * tfjs-layers `model.fit` with the equivalent tfjs Adam, side by side, for a small MLP (loop overhead
 * dominates) and a small CNN (compute dominates).
 *
 * Fairness: every candidate has its own copy of the model (same architecture and initial weights) and
 * its own optimizer; the hand loop and the Learner make the same batches the same way (two slices per
 * batch, freed after the step); validation is empty, so only training batches are timed. The logger
 * formats its rows into a string that is dropped (no terminal I/O), and the progress bar draws into a
 * fake 120-column TTY that discards its output, so both cost what they cost on a terminal minus the write.
 */

import { Writable } from "node:stream";
import {
  Adam,
  type BatchLoader,
  DataLoaders,
  initBackend,
  Learner,
  mseLoss,
  Progress,
  Rng,
} from "@sched/learner";
import * as tf from "@tensorflow/tfjs";
import { compare } from "../measure.js";
import { table, writeSection } from "../results.js";
import type { Suite } from "../suite.js";

const LR = 1e-3;

interface Case {
  name: string;
  build: (seed: number) => tf.Sequential;
  inputShape: number[];
  bs: number;
  /** Batches per timed call: short calls and many rounds keep background noise out of the ratios. */
  nBatches: number;
  rounds: number;
}

const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });

const MLP: Case = {
  name: "MLP 16→32→32→1",
  inputShape: [16],
  bs: 64,
  nBatches: 25,
  rounds: 31,
  build: (seed) =>
    tf.sequential({
      layers: [
        tf.layers.dense({ units: 32, activation: "relu", inputShape: [16], kernelInitializer: glorot(seed) }),
        tf.layers.dense({ units: 32, activation: "relu", kernelInitializer: glorot(seed + 1) }),
        tf.layers.dense({ units: 1, kernelInitializer: glorot(seed + 2) }),
      ],
    }),
};

const CNN: Case = {
  name: "CNN 28×28: conv16-pool-conv32-pool-dense1",
  inputShape: [28, 28, 1],
  bs: 32,
  nBatches: 6,
  rounds: 21,
  build: (seed) =>
    tf.sequential({
      layers: [
        tf.layers.conv2d({
          filters: 16,
          kernelSize: 3,
          activation: "relu",
          inputShape: [28, 28, 1],
          kernelInitializer: glorot(seed),
        }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({
          filters: 32,
          kernelSize: 3,
          activation: "relu",
          kernelInitializer: glorot(seed + 1),
        }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 1, kernelInitializer: glorot(seed + 2) }),
      ],
    }),
};

const TINY: Case = {
  name: "1 weight, bs 1 (the loop's own cost)",
  inputShape: [1],
  bs: 1,
  nBatches: 200,
  rounds: 21,
  build: (seed) =>
    tf.sequential({
      layers: [
        tf.layers.dense({ units: 1, inputShape: [1], useBias: false, kernelInitializer: glorot(seed) }),
      ],
    }),
};

/** A fake terminal: the progress bar renders as on a TTY, the bytes go nowhere. */
function nullTTY(): NodeJS.WritableStream & { isTTY: boolean } {
  const s = new Writable({ write: (_c, _e, done) => done() }) as Writable & {
    isTTY: boolean;
    columns: number;
  };
  s.isTTY = true;
  s.columns = 120;
  return s;
}

/** Batch `i` of `(X, Y)`: how both the hand loop and the Learner's loader make their batches. */
function batch(X: tf.Tensor, Y: tf.Tensor, bs: number, i: number): [tf.Tensor, tf.Tensor] {
  return [X.slice(i * bs, bs), Y.slice(i * bs, bs)];
}

/** The same batches as the hand loop, as a BatchLoader (the Learner disposes what it gets). */
function sliceLoader(X: tf.Tensor, Y: tf.Tensor, bs: number, n: number): BatchLoader {
  return {
    length: n,
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < n; i++) yield batch(X, Y, bs, i);
    },
  };
}

const empty: BatchLoader = { length: 0, async *[Symbol.asyncIterator]() {} };

/** A model's single output, as the Learner's adapter calls it. */
function forward(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  const out = model.call(x, { training: true });
  return Array.isArray(out) ? (out[0] as tf.Tensor) : out;
}

async function runCase(c: Case, rounds: number, nBatches: number) {
  const rng = new Rng(42);
  const n = c.bs * nBatches;
  const size = c.inputShape.reduce((a, b) => a * b, 1);
  const X = tf.tensor(rng.normalArray(n * size), [n, ...c.inputShape]);
  const Y = tf.tensor2d(rng.normalArray(n), [n, 1]);

  // Hand loop: same model, our Adam (wd 0), same batches, no loss read.
  const handModel = c.build(1);
  const handVars = handModel.trainableWeights.map((w) => w.read() as tf.Variable);
  const handOpt = Adam([handVars], { lr: LR, wd: 0 });
  const handLoop = () => {
    for (let i = 0; i < nBatches; i++) {
      tf.tidy(() => {
        const [xb, yb] = batch(X, Y, c.bs, i);
        const { grads } = tf.variableGrads(() => mseLoss(forward(handModel, xb), yb), handVars);
        handOpt.setGrads(new Map(handVars.map((v) => [v, grads[v.name] as tf.Tensor])));
        handOpt.step();
        handOpt.zeroGrad();
      });
    }
  };

  // Learner with every default callback, the logger formatting into the void and a drawn progress bar.
  const makeLearner = (seed: number, dls: { train: BatchLoader; valid: BatchLoader }) => {
    const learn = new Learner(dls, c.build(seed), {
      lossFunc: mseLoss,
      optFunc: (groups, o) => Adam(groups, { ...o, wd: 0 }),
      lr: LR,
    });
    learn.logger = (cells) => {
      loggedChars += cells.map((s) => s.padEnd(12)).join("").length;
    };
    learn.removeCbs(learn.cbs.filter((cb) => cb instanceof Progress));
    learn.addCbs([new Progress({ stream: nullTTY() })]);
    return learn;
  };
  let loggedChars = 0;
  const learn = makeLearner(1, { train: sliceLoader(X, Y, c.bs, nBatches), valid: empty });
  const dls = DataLoaders.fromTensors([X, Y], [X, Y], { bs: c.bs, shuffle: false, seed: 1 });
  const learnDl = makeLearner(1, { train: dls.train, valid: empty });

  // tfjs-layers model.fit with the equivalent optimizer.
  const fitModel = c.build(1);
  fitModel.compile({ optimizer: tf.train.adam(LR, 0.9, 0.99, 1e-5), loss: "meanSquaredError" });
  const modelFit = () => fitModel.fit(X, Y, { batchSize: c.bs, epochs: 1, shuffle: false, verbose: 0 });

  const cmp = await compare(
    {
      "hand loop": handLoop,
      "Learner.fit": () => learn.fit(1),
      "Learner.fit + DataLoader": () => learnDl.fit(1),
      "model.fit": modelFit,
    },
    { rounds, warmup: 2 },
  );
  const losses = learn.recorder?.losses ?? [];
  if (losses.length !== nBatches || !losses.every(Number.isFinite) || loggedChars === 0) {
    throw new Error(`learner bench: expected ${nBatches} finite recorded losses, got ${losses.length}`);
  }

  learn.dispose();
  learnDl.dispose();
  dls.dispose();
  handOpt.dispose();
  handModel.dispose();
  fitModel.dispose();
  tf.dispose([X, Y]);
  return cmp;
}

const suite: Suite = {
  name: "learner",
  title: "Learner.fit overhead vs a hand-written loop and model.fit",
  async run({ quick, command }) {
    const backend = await initBackend();
    tf.enableProdMode();
    console.log(`backend: ${backend}`);
    const rows: (string | number)[][] = [];
    const json: Record<string, unknown> = { backend };
    for (const c of [MLP, CNN, TINY]) {
      const nBatches = c.nBatches;
      const rounds = quick ? 7 : c.rounds;
      const cmp = await runCase(c, rounds, nBatches);
      json[c.name] = { ...cmp, nBatches, bs: c.bs };
      const hand = cmp.seconds["hand loop"] as number;
      for (const [cand, s] of Object.entries(cmp.seconds)) {
        const perBatchMs = (s / nBatches) * 1e3;
        const extraUs = ((s - hand) / nBatches) * 1e6;
        const ratio = cmp.ratio[cand] as number;
        rows.push([c.name, cand, perBatchMs.toFixed(3), `${ratio.toFixed(3)}×`, extraUs.toFixed(0)]);
        console.log(
          `${c.name.padEnd(40)} ${cand.padEnd(26)} ${perBatchMs.toFixed(3)} ms/batch  ${ratio.toFixed(3)}×  ${extraUs.toFixed(0)} µs`,
        );
      }
    }
    const body = [
      "Per training batch, median over interleaved rounds (each round runs every candidate for one short epoch);",
      "ratio = median of same-round time / hand loop. Target: `Learner.fit` ≤ 1.05× the hand loop and faster",
      "than `model.fit`. `Learner.fit` runs its default callbacks (TrainEval, Recorder with exact smoothed",
      "losses read once per epoch, the epoch-table logger, a progress bar drawn to a fake TTY); the hand loop",
      "and the Learner slice the same batches the same way; `+ DataLoader` uses the package's DataLoader instead.",
      "The last model does almost no tensor work, so its extra µs per batch are the loop's own cost (events,",
      "callbacks, async iteration), which the other two add on top of their compute.",
      "",
      table(["model", "candidate", "ms / batch", "ratio to hand loop", "µs / batch over hand loop"], rows),
    ].join("\n");
    writeSection({ suite: "learner", title: suite.title, command, backend, body, json });
  },
};

export default suite;
