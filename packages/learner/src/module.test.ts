import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { initBackend } from "./backend.js";
import { DataLoaders } from "./data/index.js";
import { LearnerError } from "./exceptions.js";
import { Learner } from "./learner.js";
import { mseLoss } from "./losses.js";
import { checkGroups, layersModule, layerVariables, type Module, normBiasParams } from "./module.js";
import { Adam } from "./optim/index.js";
import { Rng } from "./random.js";
import { expectNoLeaks } from "./testing.js";

let dir: string;
beforeAll(async () => {
  await initBackend();
  dir = mkdtempSync(join(tmpdir(), "sched-module-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const d of disposers.splice(0)) d();
});

/** dense(8, relu) → batchNorm → dense(1), seeded. */
function mlp(seed: number): tf.Sequential {
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      units: 8,
      activation: "relu",
      inputShape: [1],
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
    }),
  );
  model.add(tf.layers.batchNormalization());
  model.add(
    tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
  );
  return model;
}

function regressionData(seed: number): DataLoaders {
  const rng = new Rng(seed);
  const make = (n: number) => {
    const x = rng.normalArray(n);
    const y = x.map((v) => 2 * v + 3);
    return [tf.tensor2d(x, [n, 1]), tf.tensor2d(y, [n, 1])] as [tf.Tensor, tf.Tensor];
  };
  const [train, valid] = [make(256), make(64)];
  const dls = DataLoaders.fromTensors(train, valid, { bs: 32, seed });
  tf.dispose([...train, ...valid]);
  return dls;
}

function layersLearner(
  model: tf.LayersModel,
  opts: ConstructorParameters<typeof Learner<tf.LayersModel>>[2] = {},
) {
  const dls = regressionData(1);
  const learn = new Learner(dls, model, { lossFunc: mseLoss, optFunc: Adam, lr: 1e-2, path: dir, ...opts });
  learn.logger = () => {};
  disposers.push(() => {
    learn.dispose();
    dls.dispose();
  });
  return learn;
}

const values = (v: tf.Variable) => Array.from(v.dataSync());

describe("LayersModel adapter", () => {
  test("variables, buffers, norm and bias parameters come from the layers", () => {
    const model = mlp(1);
    const m = layersModule(model);
    disposers.push(() => model.dispose());
    const [d0, bn, d1] = model.layers as [tf.layers.Layer, tf.layers.Layer, tf.layers.Layer];
    const name = (v: tf.Variable) => v.name;
    expect(m.variables.map(name)).toEqual(
      [...d0.trainableWeights, ...bn.trainableWeights, ...d1.trainableWeights].map((w) => w.name),
    );
    expect(m.variables).toHaveLength(6);
    expect(m.buffers?.map(name)).toEqual(bn.nonTrainableWeights.map((w) => w.name));
    expect(m.normParams?.map(name)).toEqual(bn.trainableWeights.map((w) => w.name));
    expect(m.biasParams?.map(name)).toEqual([d0.weights[1]?.name, d1.weights[1]?.name]);
    expect(normBiasParams(m).norm.size).toBe(2);
  });

  test("a LayersModel trains (training flag reaches batch norm; moving stats get no gradient), without leaks", async () => {
    const model = mlp(2);
    const learn = layersLearner(model);
    const [before] = await learn.validate();
    const bn = model.layers[1] as tf.layers.Layer;
    const movingMean = bn.nonTrainableWeights[0]?.read() as tf.Variable;
    const meanBefore = values(movingMean);
    await learn.fit(2);
    await expectNoLeaks(() => learn.fit(2));
    const [after] = await learn.validate();
    expect(after).toBeLessThan((before as number) / 2);
    expect(values(movingMean)).not.toEqual(meanBefore); // updated by BN in training mode
    expect(learn.opt?.params()).not.toContain(movingMean);
  });

  test("freeze() keeps batch-norm parameters training when trainBn, not otherwise", async () => {
    for (const trainBn of [true, false]) {
      const model = mlp(3);
      const learn = layersLearner(model, {
        trainBn,
        splitter: (m) => [layerVariables(m.layers.slice(0, 2)), layerVariables(m.layers.slice(2))],
      });
      learn.freeze();
      const [d0, bn, d1] = model.layers.map((l) => l.trainableWeights[0]?.read() as tf.Variable) as [
        tf.Variable,
        tf.Variable,
        tf.Variable,
      ];
      const before = [values(d0), values(bn), values(d1)];
      await learn.fit(1);
      expect(values(d0)).toEqual(before[0]); // frozen group
      expect(values(d1)).not.toEqual(before[2]); // last group trains
      if (trainBn) expect(values(bn)).not.toEqual(before[1]);
      else expect(values(bn)).toEqual(before[1]);
      learn.unfreeze();
      await learn.fit(1);
      expect(values(d0)).not.toEqual(before[0]);
    }
  });

  test("an optimizer rebuilt after freeze() (resetOpt, createOpt) stays frozen until unfreeze()", async () => {
    const model = mlp(6);
    const learn = layersLearner(model, {
      splitter: (m) => [layerVariables(m.layers.slice(0, 2)), layerVariables(m.layers.slice(2))],
    });
    const d0 = model.layers[0]?.trainableWeights[0]?.read() as tf.Variable;
    learn.freeze();
    const before = values(d0);
    await learn.fit(1, { resetOpt: true });
    expect(values(d0)).toEqual(before);
    learn.createOpt();
    await learn.fit(1);
    expect(values(d0)).toEqual(before);
    learn.unfreeze();
    learn.createOpt();
    await learn.fit(1);
    expect(values(d0)).not.toEqual(before);
  });

  test("save / load of a LayersModel includes the batch-norm moving statistics", async () => {
    const src = layersLearner(mlp(4));
    await src.fit(1);
    await src.save("mlp");
    const dst = layersLearner(mlp(5));
    await dst.load("mlp");
    const all = (l: Learner) => [...l.module.variables, ...(l.module.buffers ?? [])].map(values);
    expect(all(dst)).toEqual(all(src));
    expect(await dst.validate()).toEqual(await src.validate());
  });
});

describe("Module helpers", () => {
  test("norm and bias parameters of a plain Module are found by name, explicit members win", () => {
    const v = (name: string) => tf.variable(tf.zeros([1]), true, name);
    const vars = [
      v("blk/bn1/gamma"),
      v("blk/conv/kernel"),
      v("blk/conv/bias"),
      v("head.layer_norm.scale"),
      v("w"),
    ];
    disposers.push(() => tf.dispose(vars));
    const m: Module = { variables: vars, call: (x) => x };
    const { norm, bias } = normBiasParams(m);
    expect([...norm].map((x) => x.name)).toEqual(["blk/bn1/gamma", "head.layer_norm.scale"]);
    expect([...bias].map((x) => x.name)).toEqual(["blk/conv/bias"]);
    const explicit = normBiasParams({ ...m, normParams: [vars[4] as tf.Variable], biasParams: [] });
    expect([...explicit.norm].map((x) => x.name)).toEqual(["w"]);
    expect(explicit.bias.size).toBe(0);
  });

  test("checkGroups rejects a variable in two groups and non-variables", () => {
    const a = tf.variable(tf.zeros([1]), true, "cg/a");
    disposers.push(() => a.dispose());
    expect(() => checkGroups([[a], [a]])).toThrow(
      new LearnerError("splitter: variable `cg/a` is in more than one group"),
    );
    expect(() => checkGroups([[tf.zeros([1])]])).toThrow(/group 0 holds .*not a tf.Variable/);
    expect(() => checkGroups([])).toThrow(/non-empty array/);
  });

  test("a Learner rejects a model that is neither a Module nor a LayersModel", () => {
    const dls = regressionData(2);
    disposers.push(() => dls.dispose());
    expect(() => new Learner(dls, {} as Module, { lossFunc: mseLoss })).toThrow(LearnerError);
    expect(
      () => new Learner(dls, { call: (x: tf.Tensor) => x } as unknown as Module, { lossFunc: mseLoss }),
    ).toThrow(/model.variables must be an array/);
  });
});
