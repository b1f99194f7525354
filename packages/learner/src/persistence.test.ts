import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { initBackend } from "./backend.js";
import { CheckpointError } from "./exceptions.js";
import { Learner } from "./learner.js";
import { mseLoss } from "./losses.js";
import type { Module } from "./module.js";
import { Adam } from "./optim/index.js";
import type { OptimizerStateDict } from "./optim/types.js";
import { CHECKPOINT_FORMAT, type CheckpointManifest } from "./persistence.js";
import { expectNoLeaks, type RegModel, synthLearner } from "./testing.js";

let dir: string;
beforeAll(async () => {
  await initBackend();
  dir = mkdtempSync(join(tmpdir(), "sched-ckpt-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const d of disposers.splice(0)) d();
});

function learner(seed: number, opts: Parameters<typeof synthLearner>[0] = {}) {
  const learn = synthLearner({ seed, path: dir, ...opts });
  learn.logger = () => {};
  disposers.push(() => {
    learn.dispose();
    learn.dls.dispose();
  });
  return learn;
}

/** Bytes of every model variable, to compare bit for bit. */
function weightBytes(learn: Learner): Buffer[] {
  return learn.module.variables.map((v) => Buffer.from((v.dataSync() as Float32Array).buffer.slice(0)));
}

/** The optimizer state with tensors replaced by their bytes, for deep bit-exact comparison. */
function stateBytes(learn: Learner): unknown {
  const sd = learn.opt?.stateDict() as OptimizerStateDict;
  try {
    return {
      hypers: sd.hypers,
      state: sd.state.map((s) =>
        Object.fromEntries(
          Object.entries(s).map(([k, v]) => [
            k,
            typeof v === "number" ? v : Buffer.from((v.dataSync() as Float32Array).buffer.slice(0)),
          ]),
        ),
      ),
    };
  } finally {
    for (const s of sd.state) for (const v of Object.values(s)) if (typeof v !== "number") v.dispose();
  }
}

describe("save / load", () => {
  test("round trip is bit-exact for weights, optimizer state and hypers; files are as documented", async () => {
    const src = learner(1, { lr: 0.0123 });
    await src.fit(2);
    src.opt?.setHyper("mom", 0.87654321);
    const path = await expectNoLeaks(() => src.save("ckpt"));
    expect(path).toBe(join(dir, "models", "ckpt.json"));
    expect(readdirSync(join(dir, "models")).sort()).toEqual(["ckpt.bin", "ckpt.json"]);
    const manifest = JSON.parse(readFileSync(path, "utf8")) as CheckpointManifest;
    expect(manifest.format).toBe(CHECKPOINT_FORMAT);
    expect(manifest.version).toBe(1);
    expect(manifest.dataFile).toBe("ckpt.bin");
    // a, b (4 bytes each), then gradAvg of a and of b.
    expect(manifest.weights.map((w) => [w.role, w.dtype, w.shape, w.offset, w.byteLength])).toEqual([
      ["param", "float32", [1], 0, 4],
      ["param", "float32", [1], 4, 4],
    ]);
    expect(manifest.byteLength).toBe(16);
    expect(manifest.optimizer?.hypers).toEqual([{ lr: 0.0123, mom: 0.87654321, wd: 0 }]);
    expect(manifest.optimizer?.state.map((s) => Object.keys(s))).toEqual([["gradAvg"], ["gradAvg"]]);

    const dst = learner(2);
    expect(weightBytes(dst)).not.toEqual(weightBytes(src));
    expect(dst.opt).toBeUndefined();
    const n0 = tf.memory().numTensors;
    await dst.load("ckpt");
    // The only new tensors are the optimizer's two momentum buffers.
    expect(tf.memory().numTensors).toBe(n0 + 2);
    expect(weightBytes(dst)).toEqual(weightBytes(src));
    expect(stateBytes(dst)).toEqual(stateBytes(src));
    expect(dst.opt?.hypers).toEqual([{ lr: 0.0123, mom: 0.87654321, wd: 0 }]);
  });

  test("withOpt: false writes no optimizer section and leaves the optimizer alone on load", async () => {
    const src = learner(3);
    await src.fit(1);
    const path = src.saveSync("weights-only", { withOpt: false });
    expect((JSON.parse(readFileSync(path, "utf8")) as CheckpointManifest).optimizer).toBeNull();
    const dst = learner(4);
    await dst.fit(1);
    const before = stateBytes(dst);
    await dst.load("weights-only", { withOpt: false });
    expect(stateBytes(dst)).toEqual(before);
    expect(weightBytes(dst)).toEqual(weightBytes(src));
  });

  test("a model whose shapes differ: clear error, nothing changed, no leak", async () => {
    const src = learner(5);
    await src.fit(1);
    src.saveSync("shaped");
    const wide: Module = {
      variables: [tf.variable(tf.zeros([2]), true, "wide/a"), tf.variable(tf.zeros([1]), true, "wide/b")],
      call: (x) =>
        tf.tidy(() =>
          tf.add(tf.mul(x, (wide.variables[0] as tf.Variable).slice(0, 1)), wide.variables[1] as tf.Variable),
        ),
    };
    const dst = new Learner(src.dls, wide, { lossFunc: mseLoss, path: dir });
    disposers.push(() => dst.dispose());
    const before = wide.variables.map((v) => Array.from(v.dataSync()));
    await expectNoLeaks(async () => {
      const err = await dst.load("shaped").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CheckpointError);
      expect((err as Error).message).toMatch(
        /weight 0 .*file has param float32 \[1\], the model param float32 \[2\]/,
      );
    });
    expect(wide.variables.map((v) => Array.from(v.dataSync()))).toEqual(before);
    expect(dst.opt).toBeUndefined();
  });

  test("a different parameter count or optimizer: clear error, weights and optimizer unchanged", async () => {
    const src = learner(6);
    await src.fit(1);
    src.saveSync("sgd");
    // Same model, but Adam: the optimizer section does not fit, so the weights must not be assigned either.
    const adam = learner(7, { optFunc: Adam });
    await adam.fit(1);
    const [w, s] = [weightBytes(adam), stateBytes(adam)];
    await expectNoLeaks(async () => {
      await expect(adam.load("sgd")).rejects.toThrow(/optimizer state does not fit: .*sqrMom/);
    });
    expect(weightBytes(adam)).toEqual(w);
    expect(stateBytes(adam)).toEqual(s);
    // One parameter only.
    const one: Module = { variables: [tf.variable(tf.zeros([1]), true, "one/a")], call: (x) => tf.mul(x, 1) };
    const dst = new Learner(src.dls, one, { lossFunc: mseLoss, path: dir });
    disposers.push(() => dst.dispose());
    await expect(dst.load("sgd")).rejects.toThrow(/has 2 param tensors, the model has 1/);
  });

  test("a torn or corrupted data file is detected; a missing checkpoint is named", async () => {
    const src = learner(8);
    await src.fit(1);
    src.saveSync("torn");
    const bin = join(dir, "models", "torn.bin");
    const bytes = readFileSync(bin);
    bytes[0] = (bytes[0] as number) ^ 1;
    writeFileSync(bin, bytes);
    const dst = learner(9);
    const before = weightBytes(dst);
    await expect(dst.load("torn")).rejects.toThrow(/does not match its manifest/);
    expect(weightBytes(dst)).toEqual(before);
    await expect(dst.load("nope")).rejects.toThrow(/cannot read checkpoint manifest .*nope\.json/);
  });

  test("writes are atomic: no temporary files remain, names may hold sub-folders", async () => {
    const src = learner(10);
    const path = await src.save("sub/dir/first");
    expect(existsSync(path)).toBe(true);
    expect(readdirSync(join(dir, "models", "sub", "dir")).sort()).toEqual(["first.bin", "first.json"]);
    const dst = learner(11);
    dst.loadSync("sub/dir/first");
    expect(weightBytes(dst)).toEqual(weightBytes(src));
    expect((dst.model as RegModel).a.dataSync()[0]).toBe((src.model as RegModel).a.dataSync()[0]);
  });

  test("non-finite weights round-trip bit-exactly", async () => {
    const src = learner(12);
    await src.fit(1);
    tf.tidy(() => {
      src.model.a.assign(tf.tensor1d([Number.NaN]));
      src.model.b.assign(tf.tensor1d([Number.NEGATIVE_INFINITY]));
    });
    src.saveSync("odd");
    const dst = learner(13);
    dst.loadSync("odd");
    expect(Number.isNaN(dst.model.a.dataSync()[0])).toBe(true);
    expect(dst.model.b.dataSync()[0]).toBe(Number.NEGATIVE_INFINITY);
  });
});
