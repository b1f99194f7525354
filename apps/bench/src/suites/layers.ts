/**
 * What `scheduleCallback` costs inside tfjs-layers `model.fit`, per batch, for a small MLP (the
 * overhead-dominated case): model.fit alone against model.fit with the callback, side by side,
 * plus two probes that say where any difference goes:
 * - `+ no-op callback`: a callback of the same shape as ours that does nothing, i.e. the cost of
 *   one more entry in tfjs's CallbackList (it awaits every handler of every callback per batch);
 * - `+ tf.CustomCallback`: tfjs's own callback with an empty async onBatchBegin (default yieldEvery),
 *   for comparison with how users usually write callbacks;
 * and the callback's own per-batch work timed alone (schedule evaluation and the optimizer writes,
 * including the kept scalars and the bias-correction variable rewritten when a value changes).
 *
 * Fairness: every candidate trains its own copy of the model (same architecture and initial
 * weights) with its own optimizer of the same kind; the same tensors; no shuffle, no validation,
 * verbose 0; the candidates run interleaved, order alternating per round.
 */

import { combinedCos } from "@sched/core";
import { scheduleCallback } from "@sched/layers";
import { initBackend } from "@sched/learner";
import * as tf from "@tensorflow/tfjs";
import { compare, median, nowNs } from "../measure.js";
import { table, writeSection } from "../results.js";
import type { Suite } from "../suite.js";

const INPUTS = 16;
const BS = 64;
const N_BATCHES = 25;

const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });

function mlp(optimizer: tf.Optimizer): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 32, activation: "relu", inputShape: [INPUTS], kernelInitializer: glorot(1) }),
      tf.layers.dense({ units: 32, activation: "relu", kernelInitializer: glorot(2) }),
      tf.layers.dense({ units: 1, kernelInitializer: glorot(3) }),
    ],
  });
  model.compile({ optimizer, loss: "meanSquaredError" });
  return model;
}

/** A callback shaped like ours that does nothing: the price of one more callback in tfjs's list. */
class NoopCallback extends tf.CustomCallback {
  constructor() {
    super({}, "never");
  }
}

// fitOneCycle's shapes: every value changes every batch, the worst case for the kept scalars.
const lr = combinedCos(0.25, 4e-5, 1e-3, 1e-8);
const mom = combinedCos(0.25, 0.95, 0.85, 0.95);

type Group = { name: string; make: () => tf.Optimizer; scheds: Record<string, typeof lr> };

const GROUPS: Group[] = [
  { name: "Adam (lr, beta1 via mom)", make: () => tf.train.adam(1e-3), scheds: { lr, mom } },
  {
    name: "Momentum (lr, momentum: kept scalars)",
    make: () => tf.train.momentum(1e-3, 0.9),
    scheds: { lr, mom },
  },
  { name: "SGD (lr: kept scalar)", make: () => tf.train.sgd(1e-3), scheds: { lr } },
];

/** ns per call of the callback's own per-batch work, outside model.fit (one fit's setup first). */
async function ownWork(group: Group, calls: number): Promise<number> {
  const model = mlp(group.make());
  const cb = scheduleCallback(group.scheds, { totalSteps: calls, record: false });
  cb.setModel(model as never);
  await cb.onTrainBegin();
  const t0 = nowNs();
  for (let i = 0; i < calls; i++) await cb.onBatchBegin(i);
  const ns = (nowNs() - t0) / calls;
  model.dispose();
  return ns;
}

/**
 * Wraps a candidate so that each call's CPU time (this process, all threads) is recorded too. On a
 * shared machine wall time includes waiting for a core; CPU time mostly does not.
 */
function cpuTimed(f: () => Promise<unknown>, into: number[]): () => Promise<void> {
  return async () => {
    const t0 = process.cpuUsage();
    await f();
    const d = process.cpuUsage(t0);
    into.push((d.user + d.system) / 1e6);
  };
}

/** Median over rounds of the same-round CPU-time ratio to the baseline (warmup calls left out). */
function cpuRatios(cpu: Record<string, number[]>, baseline: string, warmup: number): Record<string, number> {
  const base = (cpu[baseline] as number[]).slice(warmup);
  return Object.fromEntries(
    Object.entries(cpu).map(([name, xs]) => [
      name,
      median(xs.slice(warmup).map((x, r) => x / (base[r] as number))),
    ]),
  );
}

async function runGroup(group: Group, x: tf.Tensor, y: tf.Tensor, rounds: number) {
  const fitWith = (callbacks: tf.CustomCallback[]) => {
    const model = mlp(group.make());
    return {
      model,
      run: () => model.fit(x, y, { batchSize: BS, epochs: 1, shuffle: false, verbose: 0, callbacks }),
    };
  };
  const plain = fitWith([]);
  const noop = fitWith([new NoopCallback()]);
  const custom = fitWith([new tf.CustomCallback({ onBatchBegin: async () => {} })]);
  const sched = scheduleCallback(group.scheds);
  const ours = fitWith([sched]);
  // One fit each first: optimizer state is made on the first step, and must not count as a leak.
  for (const c of [plain, noop, custom, ours]) await c.run();
  const tensorsBefore = tf.memory().numTensors;
  const runs = {
    "model.fit": plain,
    "+ scheduleCallback": ours,
    "+ no-op callback": noop,
    "+ tf.CustomCallback": custom,
  };
  const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  const warmup = 2;
  const cmp = await compare(
    Object.fromEntries(Object.entries(runs).map(([k, c]) => [k, cpuTimed(c.run, cpu[k] as number[])])),
    { rounds, warmup },
  );
  if (tf.memory().numTensors !== tensorsBefore)
    throw new Error(`layers bench: tensors leaked in ${group.name}`);
  if (sched.hps.lr?.length !== N_BATCHES) throw new Error("layers bench: the schedule did not run per batch");
  for (const c of Object.values(runs)) c.model.dispose();
  return { ...cmp, cpuRatio: cpuRatios(cpu, "model.fit", warmup) };
}

const suite: Suite = {
  name: "layers",
  title: "scheduleCallback overhead in model.fit (small MLP)",
  async run({ quick, command }) {
    const native = await initBackend();
    tf.enableProdMode();
    const rounds = quick ? 9 : 101;
    const rows: (string | number)[][] = [];
    const json: Record<string, unknown> = { bs: BS, nBatches: N_BATCHES, rounds };
    // The default backend, and the pure-JS cpu backend, whose faster small batches make the
    // callback's share larger.
    for (const backend of native === "cpu" ? ["cpu"] : [native, "cpu"]) {
      await initBackend(backend);
      console.log(`backend: ${backend}`);
      const x = tf.randomNormal([BS * N_BATCHES, INPUTS], 0, 1, "float32", 7);
      const y = tf.randomNormal([BS * N_BATCHES, 1], 0, 1, "float32", 8);
      for (const group of GROUPS) {
        const cmp = await runGroup(group, x, y, rounds);
        const work = await ownWork(group, 20_000);
        json[`${backend}: ${group.name}`] = { ...cmp, ownWorkNsPerBatch: work };
        const base = cmp.seconds["model.fit"] as number;
        for (const [cand, s] of Object.entries(cmp.seconds)) {
          const perBatchUs = (s / N_BATCHES) * 1e6;
          const extraUs = ((s - base) / N_BATCHES) * 1e6;
          const ratio = cmp.ratio[cand] as number;
          const cpuRatio = cmp.cpuRatio[cand] as number;
          const cells = [
            perBatchUs.toFixed(1),
            `${ratio.toFixed(4)}×`,
            extraUs.toFixed(1),
            `${cpuRatio.toFixed(4)}×`,
          ];
          rows.push([backend, group.name, cand, ...cells]);
          console.log(
            `${backend.padEnd(10)} ${group.name.padEnd(38)} ${cand.padEnd(20)} ${cells.join("  ")}`,
          );
        }
        const share = work / 1e3 / ((base / N_BATCHES) * 1e6);
        const own = [(work / 1e3).toFixed(2), "", "", `(${(share * 100).toFixed(2)}% of a batch)`];
        rows.push([backend, group.name, "callback's own work, timed alone", ...own]);
        console.log(`${backend.padEnd(10)} ${group.name.padEnd(38)} own work ${own.join("  ")}`);
      }
      tf.dispose([x, y]);
    }
    await initBackend(native);
    const body = [
      `Per training batch of a 16→32→32→1 MLP (bs ${BS}, ${N_BATCHES} batches per timed fit), median over`,
      `${rounds} interleaved rounds; ratio = median of same-round time / \`model.fit\` alone. Target: the`,
      "callback costs ≤ 2% (ratio ≤ 1.02). Schedules are fitOneCycle's (`combinedCos`), so every value",
      "changes every batch: the worst case for the kept scalars (SGD/Momentum) and Adam's bias-correction",
      "variable, which are rebuilt only on a change. `+ no-op callback` is a callback of the same shape",
      "doing nothing (the price of one more callback in tfjs's CallbackList, which awaits each handler of",
      "each callback per batch); `+ tf.CustomCallback` is tfjs's usual `{ onBatchBegin: async () => {} }`.",
      "The last row of each group times the callback's own per-batch work alone (µs per batch, and its share",
      "of the batch time of `model.fit`).",
      "",
      table(
        [
          "backend",
          "optimizer (scheduled)",
          "candidate",
          "µs / batch",
          "ratio to model.fit",
          "µs / batch over model.fit",
          "CPU-time ratio to model.fit",
        ],
        rows,
      ),
    ].join("\n");
    writeSection({ suite: "layers", title: suite.title, command, backend: native, body, json });
  },
};

export default suite;
