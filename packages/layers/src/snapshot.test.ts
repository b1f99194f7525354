/** The snapshot restores weights and every optimizer's whole state bit-exactly, without leaks. */
import { SchedCos, SchedLin } from "@sched/core";
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { type OptimizerFields, type OptimizerSpec, optimizerSpec } from "./optimizers.js";
import { scheduleCallback } from "./schedule-callback.js";
import { takeSnapshot } from "./snapshot.js";
import { regressionData, useBackend } from "./test-helpers.js";

useBackend();

/** An MLP with a BatchNorm layer, so non-trainable weights (moving statistics) are covered too. */
function bnModel(optimizer: tf.Optimizer): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 8, inputShape: [4], kernelInitializer: init(1) }),
      tf.layers.batchNormalization(),
      tf.layers.activation({ activation: "relu" }),
      tf.layers.dense({ units: 1, kernelInitializer: init(2) }),
    ],
  });
  model.compile({ optimizer, loss: "meanSquaredError" });
  return model;
}

type Dump = Record<string, unknown>;

/** Every value the model and the optimizer hold, as plain data (typed arrays compare bit by bit). */
function dump(model: tf.LayersModel, opt: OptimizerFields, spec: OptimizerSpec): Dump {
  const bytes = (t: tf.Tensor) => Array.from(new Uint32Array(new Float32Array(t.dataSync()).buffer));
  const out: Dump = { weights: model.weights.map((w) => bytes(w.read())) };
  for (const f of ["learningRate", "momentum", "beta1", "beta2", "epsilon", "decay", "rho"]) {
    if (f in opt) out[f] = opt[f];
  }
  out.iterations = opt.iterations;
  for (const f of [...spec.kept, ...spec.variables]) out[f] = bytes(opt[f] as tf.Tensor);
  for (const f of spec.slots) {
    const entries = (opt[f] as Array<{ originalName: string; variable: tf.Variable }> | undefined) ?? [];
    out[f] = entries.map((e) => [e.originalName, bytes(e.variable)]);
  }
  return out;
}

const cases: Array<[string, () => tf.Optimizer, Record<string, unknown>]> = [
  ["SGD", () => tf.train.sgd(0.05), { lr: SchedLin(0.05, 0.2) }],
  [
    "Momentum (Nesterov)",
    () => tf.train.momentum(0.05, 0.9, true),
    { lr: SchedLin(0.05, 0.2), mom: SchedCos(0.95, 0.5) },
  ],
  [
    "Adam",
    () => tf.train.adam(0.01),
    { lr: SchedLin(0.01, 0.05), beta1: SchedCos(0.95, 0.5), beta2: SchedLin(0.999, 0.9) },
  ],
  [
    "Adamax",
    () => tf.train.adamax(0.01, 0.9, 0.999, 1e-7, 0.01),
    { lr: SchedLin(0.01, 0.05), beta1: SchedCos(0.95, 0.5) },
  ],
  [
    "RMSProp (centered)",
    () => tf.train.rmsprop(0.01, 0.9, 0.5, 1e-7, true),
    { lr: SchedLin(0.01, 0.05), mom: 0.8, rho: 0.7 },
  ],
  ["Adagrad", () => tf.train.adagrad(0.05), { lr: SchedLin(0.05, 0.2) }],
  ["Adadelta", () => tf.train.adadelta(0.5, 0.9), { lr: SchedLin(0.5, 1), rho: 0.5 }],
];

describe.each(cases)("%s", (_name, makeOpt, schedules) => {
  it("after a scheduled detour, restore() puts back every weight, state value, hyper and counter bit-exactly", async () => {
    const opt = makeOpt();
    const model = bnModel(opt);
    const { x, y } = regressionData(48, 4);
    await model.fit(x, y, { batchSize: 16, epochs: 1, verbose: 0, shuffle: false });
    const [fields, spec] = optimizerSpec(model, "test");
    const before = dump(model, fields, spec);
    const tensors = tf.memory().numTensors;
    const snap = takeSnapshot(model, fields, spec);
    await model.fit(x, y, {
      batchSize: 8,
      epochs: 2,
      verbose: 0,
      callbacks: [scheduleCallback(schedules as never)],
    });
    expect(dump(model, fields, spec)).not.toEqual(before);
    snap.restore();
    expect(dump(model, fields, spec)).toEqual(before);
    // Restoring twice (as repeats do) is the same.
    await model.fit(x, y, { batchSize: 8, epochs: 1, verbose: 0 });
    snap.restore();
    expect(dump(model, fields, spec)).toEqual(before);
    snap.dispose();
    expect(tf.memory().numTensors).toBe(tensors);

    // The restored model trains on exactly as an untouched twin does.
    const twinOpt = makeOpt();
    const twin = bnModel(twinOpt);
    await twin.fit(x, y, { batchSize: 16, epochs: 1, verbose: 0, shuffle: false });
    await model.fit(x, y, { batchSize: 16, epochs: 1, verbose: 0, shuffle: false });
    await twin.fit(x, y, { batchSize: 16, epochs: 1, verbose: 0, shuffle: false });
    const [twinFields] = optimizerSpec(twin, "test");
    expect(dump(model, fields, spec).weights).toEqual(dump(twin, twinFields, spec).weights);
    tf.dispose([x, y]);
    model.dispose();
    twin.dispose();
  });

  it("a never-stepped optimizer goes back to having no state, and no tensor is left behind", async () => {
    const opt = makeOpt();
    const model = bnModel(opt);
    const { x, y } = regressionData(32, 4);
    const [fields, spec] = optimizerSpec(model, "test");
    const before = dump(model, fields, spec);
    const tensors = tf.memory().numTensors;
    const snap = takeSnapshot(model, fields, spec);
    await model.fit(x, y, {
      batchSize: 8,
      epochs: 1,
      verbose: 0,
      callbacks: [scheduleCallback(schedules as never)],
    });
    snap.restore();
    snap.dispose();
    expect(dump(model, fields, spec)).toEqual(before);
    expect(opt.iterations).toBe(0);
    for (const f of spec.slots) expect((fields[f] as unknown[]).length).toBe(0);
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([x, y]);
    model.dispose();
  });

  it("the spec lists every tensor the optimizer holds (no state escapes the snapshot)", async () => {
    const opt = makeOpt();
    const model = bnModel(opt);
    const { x, y } = regressionData(16, 4);
    await model.fit(x, y, { batchSize: 8, epochs: 1, verbose: 0 });
    const [fields, spec] = optimizerSpec(model, "test");
    const listed = new Set([...spec.kept, ...spec.variables, ...spec.slots]);
    const holding = Object.entries(fields)
      .filter(
        ([, v]) =>
          v instanceof tf.Tensor || (Array.isArray(v) && v.some((e) => e?.variable instanceof tf.Tensor)),
      )
      .map(([k]) => k);
    expect(holding.length).toBeGreaterThan(0);
    for (const k of holding) expect(listed.has(k), `field ${k}`).toBe(true);
    tf.dispose([x, y]);
    model.dispose();
  });
});
