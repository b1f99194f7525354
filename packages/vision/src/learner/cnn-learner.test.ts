import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crossEntropyLoss, DataLoaders, initBackend, type Learner, Rng, SGD } from "@sched/learner";
import { expectNoLeaks } from "@sched/learner/testing";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESNET_TEST_TIMEOUT } from "../data/test-pets.js";
import { CnnModel, cnnSplitter } from "../models/cnn-model.js";
import { resnet18, resnet34 } from "../models/resnet.js";
import { saveWeights, WeightsError } from "../models/weights.js";
import { startServer, type TestServer } from "../untar/test-server.js";
import { CnnLearnerError, type CnnLoaders, cnnLearner, resetScratchNotice } from "./cnn-learner.js";

let dir: string;
let server: TestServer;
let weightsFile: string;
let dls: DataLoaders & { c: number };

/** Small NHWC images with 3 classes: enough to run the model and the optimizer. */
function tinyLoaders(): DataLoaders & { c: number } {
  const rng = new Rng(3);
  const n = 24;
  const x = tf.tensor4d(rng.normalArray(n * 32 * 32 * 3), [n, 32, 32, 3]);
  const y = tf.tensor1d(
    Array.from({ length: n }, (_, i) => i % 3),
    "int32",
  );
  try {
    return Object.assign(DataLoaders.fromTensors([x, y], { validPct: 0.25, seed: 1, bs: 6 }), { c: 3 });
  } finally {
    tf.dispose([x, y]);
  }
}

const keyed = (m: CnnModel) => new Map(m.entries());
const bytes = (v: tf.Variable) => Buffer.from(v.dataSync().slice().buffer);

beforeAll(async () => {
  await initBackend();
  dir = await mkdtemp(join(tmpdir(), "sched-cnn-"));
  server = await startServer();
  const pretrainedBody = resnet18({ seed: 99, includeTop: false });
  weightsFile = await saveWeights(pretrainedBody, join(dir, "resnet18.json"));
  pretrainedBody.dispose();
  server.routes.set("/w/resnet18.json", { body: (await readFile(weightsFile)) as Uint8Array });
  server.routes.set("/w/resnet18.bin", { body: (await readFile(join(dir, "resnet18.bin"))) as Uint8Array });
  dls = tinyLoaders();
});

afterAll(async () => {
  dls.dispose();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("cnnLearner", { timeout: RESNET_TEST_TIMEOUT }, () => {
  it("puts fastai's head on the body: concat pool → BN → dropout → 512 → ReLU → BN → dropout → nOut = dls.c", async () => {
    const learn = await cnnLearner(dls, resnet18, { pretrained: false, seed: 1 });
    const m = learn.model;
    const head = [...m.headStore.params].map(([k, v]) => [k, v.shape]);
    expect(head).toEqual([
      ["head.0.bn.weight", [1024]],
      ["head.0.bn.bias", [1024]],
      ["head.0.linear.weight", [1024, 512]],
      ["head.1.bn.weight", [512]],
      ["head.1.bn.bias", [512]],
      ["head.1.linear.weight", [512, 3]],
    ]);
    // fastai's BatchNorm starts its bias at 1e-3; linear layers after a norm have no bias.
    expect(
      Array.from(keyed(m).get("head.0.bn.bias")?.dataSync() ?? []).every((v) => Math.abs(v - 1e-3) < 1e-9),
    ).toBe(true);
    expect(learn.lossFunc).toBe(crossEntropyLoss);
    tf.tidy(() => {
      const x = tf.randomNormal([2, 32, 32, 3]);
      expect(m.call(x, { training: false }).shape).toEqual([2, 3]);
      // Inference is deterministic: no dropout, running statistics.
      const a = m.call(x, { training: false }).dataSync();
      expect(Array.from(m.call(x, { training: false }).dataSync())).toEqual(Array.from(a));
    });
    learn.dispose();
  });

  it("splits parameters into fastai's three resnet groups, every trainable variable exactly once", async () => {
    const learn = await cnnLearner(dls, resnet34, { pretrained: false, seed: 2 });
    const groups = cnnSplitter(learn.model);
    expect(groups).toHaveLength(3);
    const all = groups.flat();
    expect(all).toHaveLength(new Set(all).size);
    expect(new Set(all)).toEqual(new Set(learn.module.variables));
    const keyOf = new Map(learn.model.entries().map(([k, v]) => [v, k]));
    expect(new Set(groups[0]?.map((v) => keyOf.get(v)?.split(".")[0]))).toEqual(
      new Set(["conv1", "bn1", "layer1", "layer2"]),
    );
    expect(new Set(groups[1]?.map((v) => keyOf.get(v)?.split(".")[0]))).toEqual(
      new Set(["layer3", "layer4"]),
    );
    expect(groups[2]?.every((v) => keyOf.get(v)?.startsWith("head."))).toBe(true);
    const opt = learn.createOpt();
    expect(opt.hypers).toHaveLength(3);
    learn.dispose();
  });

  it("without weights trains from scratch, unfrozen, and says so once", async () => {
    resetScratchNotice();
    const notices: string[] = [];
    const warn = (m: string) => notices.push(m);
    const a = await cnnLearner(dls, resnet18, { warn, seed: 3 });
    const b = await cnnLearner(dls, resnet18, { warn, pretrained: true, seed: 3 });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(
      /^cnnLearner: no pretrained resnet18 weights .* training from scratch, body not frozen/,
    );
    expect(a.opt).toBeUndefined();
    expect(new Set(a.createOpt().trainableParams())).toEqual(new Set(a.module.variables));
    resetScratchNotice();
    const quiet = await cnnLearner(dls, resnet18, { warn, pretrained: false, seed: 3 });
    expect(notices).toHaveLength(1);
    for (const l of [a, b, quiet]) l.dispose();
  });

  for (const [where, source] of [
    ["a local file", () => weightsFile],
    ["a loopback HTTP URL", () => server.url("/w/resnet18.json")],
  ] as const) {
    it(`loads the body's weights from ${where} bit-exactly and freezes the body, batch norm still training`, async () => {
      const reference = resnet18({ seed: 99, includeTop: false });
      const learn = await cnnLearner(dls, resnet18, { weights: source(), seed: 4, lr: 1e-2 });
      const model = keyed(learn.model);
      const differing = reference
        .entries()
        .filter(([k, v]) => !bytes(v).equals(bytes(model.get(k) as tf.Variable)));
      expect(differing.map(([k]) => k)).toEqual([]);
      reference.dispose();

      const trainable = new Set(learn.opt?.trainableParams());
      const norm = new Set(learn.model.body.normParams);
      for (const v of learn.model.body.variables) expect(trainable.has(v)).toBe(norm.has(v));
      for (const v of learn.model.headStore.params.values()) expect(trainable.has(v)).toBe(true);

      // One epoch: frozen convolutions keep their values, body batch norm and the head move.
      const before = new Map([...model].map(([k, v]) => [k, bytes(v)]));
      await learn.noLogging(() => learn.fit(1));
      const changed = (k: string) => !(before.get(k) as Buffer).equals(bytes(model.get(k) as tf.Variable));
      expect(changed("conv1.weight")).toBe(false);
      expect(changed("layer3.1.conv2.weight")).toBe(false);
      expect(changed("bn1.weight")).toBe(true);
      expect(changed("layer4.1.bn2.bias")).toBe(true);
      expect(changed("head.1.linear.weight")).toBe(true);
      learn.dispose();
    });
  }

  it("fails cleanly: bad weights leave no tensor behind; contradictory or missing options are named", async () => {
    await expectNoLeaks(async () => {
      await expect(cnnLearner(dls, resnet18, { weights: join(dir, "missing.json") })).rejects.toBeInstanceOf(
        WeightsError,
      );
      await expect(cnnLearner(dls, resnet34, { weights: weightsFile })).rejects.toThrow(
        /weights are for resnet18, the model is resnet34/,
      );
    });
    await expect(cnnLearner(dls, resnet18, { pretrained: false, weights: weightsFile })).rejects.toThrow(
      CnnLearnerError,
    );
    const noC: CnnLoaders = { train: dls.train, valid: dls.valid };
    await expect(cnnLearner(noC, resnet18, { pretrained: false })).rejects.toThrow(
      "nOut must be a positive integer (or dls.c must be set), got undefined",
    );
    await expect(cnnLearner(dls, (() => {}) as unknown as typeof resnet18)).rejects.toThrow(
      /arch must be an architecture/,
    );
  });

  it("honours the head options (nOut, ps, concatPool, firstBn, linFtrs) and the learner options", async () => {
    const learn = await cnnLearner(dls, resnet18, {
      pretrained: false,
      nOut: 5,
      concatPool: false,
      firstBn: false,
      linFtrs: [64, 32],
      ps: 0.2,
      optFunc: SGD,
      lr: 0.05,
      seed: 5,
    });
    const head = [...learn.model.headStore.params].map(([k, v]) => [k, v.shape]);
    expect(head).toEqual([
      ["head.0.linear.weight", [512, 64]],
      ["head.0.linear.bias", [64]],
      ["head.1.bn.weight", [64]],
      ["head.1.bn.bias", [64]],
      ["head.1.linear.weight", [64, 32]],
      ["head.2.bn.weight", [32]],
      ["head.2.bn.bias", [32]],
      ["head.2.linear.weight", [32, 5]],
    ]);
    expect(learn.lr).toBe(0.05);
    expect(learn.createOpt().hypers[0]).not.toHaveProperty("sqrMom");
    learn.dispose();
  });

  it("trains end to end with finite losses and frees everything it made", async () => {
    const before = tf.memory().numTensors;
    let learn: Learner<CnnModel, typeof dls> | undefined;
    try {
      learn = await cnnLearner(dls, resnet18, { pretrained: false, seed: 6 });
      await learn.noLogging(() => (learn as Learner<CnnModel, typeof dls>).fit(2));
      expect(learn.recorder?.losses.every(Number.isFinite)).toBe(true);
      expect(learn.recorder?.values).toHaveLength(2);
    } finally {
      learn?.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("CnnModel", () => {
  it("rejects bad head options before allocating anything", () => {
    const body = resnet18({ includeTop: false, seed: 1 });
    const n = tf.memory().numTensors;
    expect(() => new CnnModel(body, 0)).toThrow("head: nOut must be a positive integer, got 0");
    expect(() => new CnnModel(body, 2, { ps: 1 })).toThrow("head: ps must be in [0, 1), got 1");
    expect(tf.memory().numTensors).toBe(n);
    body.dispose();
  });
});
