import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Callback,
  CallbackError,
  CancelFitException,
  type CheckpointManifest,
  initBackend,
  type Learner,
  rmse,
} from "@sched/learner";
import { expectNoLeaks } from "@sched/learner/testing";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { TrackerError } from "../errors.js";
import { LR_FINDER } from "../lr-finder/active.js";
import { quietLearner } from "../test-helpers.js";
import { SaveModel } from "./save-model.js";
import { inferComp } from "./tracker.js";

beforeAll(async () => {
  await initBackend();
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function learnerInTmp(opts: Parameters<typeof quietLearner>[0] = {}) {
  const path = mkdtempSync(join(tmpdir(), "save-model-"));
  dirs.push(path);
  const learn = quietLearner({ path, seed: 2, lr: 1e-2, ...opts });
  return { learn, models: join(path, "models") };
}

const weights = (l: Learner) => l.module.variables.map((v) => v.dataSync()[0] as number);
const files = (dir: string) => readdirSync(dir).sort();
const manifest = (dir: string, name: string) =>
  JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as CheckpointManifest;

/** Records the weights at the end of every epoch that ran (after SaveModel's after_epoch). */
function weightsByEpoch(into: Map<number, number[]>): Callback {
  return { order: 80, after_epoch: (l) => into.set(l.epoch, weights(l)) };
}

/** Replaces the recorded valid_loss of each epoch with a scripted one (before the trackers read it). */
function scriptValidLoss(values: number[]): Callback {
  return {
    order: 55,
    after_epoch: (l) => {
      const row = l.recorder?.values.at(-1);
      if (row) row[1] = values[l.epoch] as number;
    },
  };
}

/** A fresh learner in the same folder, loaded from `name`: its weights. */
async function loadedWeights(path: string, name: string): Promise<number[]> {
  const other = quietLearner({ path, seed: 99 });
  await other.load(name);
  return weights(other);
}

describe("SaveModel: every epoch", () => {
  test("writes fname_<epoch> with the optimizer state after each epoch, each loading that epoch's model", async () => {
    const { learn, models } = learnerInTmp();
    const seen = new Map<number, number[]>();
    const save = new SaveModel({ everyEpoch: true, fname: "ckpt" });
    await learn.fit(3, { cbs: [save, weightsByEpoch(seen)] });
    expect(files(models)).toEqual([
      "ckpt_0.bin",
      "ckpt_0.json",
      "ckpt_1.bin",
      "ckpt_1.json",
      "ckpt_2.bin",
      "ckpt_2.json",
    ]);
    for (const e of [0, 1, 2]) {
      expect(await loadedWeights(learn.path, `ckpt_${e}`)).toEqual(seen.get(e));
      const opt = manifest(models, `ckpt_${e}`).optimizer;
      expect(opt?.state.map((s) => Object.keys(s))).toEqual([["gradAvg"], ["gradAvg"]]);
    }
    expect(save.lastSavedPath).toBe(join(models, "ckpt_2.json"));
    // The last checkpoint restores the optimizer too: same momentum buffers, same hypers.
    const other = quietLearner({ path: learn.path, seed: 5 });
    await other.load("ckpt_2");
    const [sd, sdOther] = [learn.opt?.stateDict(), other.opt?.stateDict()];
    expect(sdOther?.hypers).toEqual(sd?.hypers);
    expect(sdOther?.state.map((s) => (s.gradAvg as { dataSync(): Float32Array }).dataSync()[0])).toEqual(
      sd?.state.map((s) => (s.gradAvg as { dataSync(): Float32Array }).dataSync()[0]),
    );
    for (const d of [sd, sdOther])
      for (const s of d?.state ?? []) (s.gradAvg as { dispose(): void }).dispose();
  });

  test("everyEpoch: n saves epochs 0, n, 2n…; withOpt: false leaves the optimizer out", async () => {
    const { learn, models } = learnerInTmp();
    await learn.fit(5, { cbs: [new SaveModel({ everyEpoch: 2, withOpt: false })] });
    expect(files(models)).toEqual([
      "model_0.bin",
      "model_0.json",
      "model_2.bin",
      "model_2.json",
      "model_4.bin",
      "model_4.json",
    ]);
    expect(manifest(models, "model_4").optimizer).toBeNull();
  });

  test("overwrite keeps one file, the last epoch's model; nothing is reloaded at the end", async () => {
    const { learn, models } = learnerInTmp();
    const seen = new Map<number, number[]>();
    await learn.fit(3, { cbs: [new SaveModel({ everyEpoch: true, overwrite: true }), weightsByEpoch(seen)] });
    expect(files(models)).toEqual(["model.bin", "model.json"]);
    expect(await loadedWeights(learn.path, "model")).toEqual(seen.get(2));
    expect(weights(learn)).toEqual(seen.get(2));
  });

  test("epochs skipped by startEpoch are not saved, so a resume keeps the checkpoints it resumes from", async () => {
    const { learn, models } = learnerInTmp();
    const save = new SaveModel({ everyEpoch: true });
    await learn.fit(4, { cbs: [save], startEpoch: 2 });
    expect(files(models)).toEqual(["model_2.bin", "model_2.json", "model_3.bin", "model_3.json"]);
  });

  test("no tensor is leaked by saving", async () => {
    const { learn } = learnerInTmp();
    await learn.fit(1);
    await expectNoLeaks(() => learn.fit(2, { cbs: [new SaveModel({ everyEpoch: true })] }));
  });
});

describe("SaveModel: best by a monitored value", () => {
  test("saves each improvement of valid_loss and reloads the best at the end", async () => {
    const { learn, models } = learnerInTmp();
    const seen = new Map<number, number[]>();
    const printed: string[] = [];
    learn.logger = (cells) => printed.push(cells.join(" "));
    const save = new SaveModel();
    await learn.fit(5, { cbs: [scriptValidLoss([3, 1, 2, 0.5, 0.6]), save, weightsByEpoch(seen)] });
    expect(files(models)).toEqual(["model.bin", "model.json"]);
    expect(printed.filter((p) => p.startsWith("Better"))).toEqual([
      "Better model found at epoch 0 with valid_loss value: 3.",
      "Better model found at epoch 1 with valid_loss value: 1.",
      "Better model found at epoch 3 with valid_loss value: 0.5.",
    ]);
    expect([save.best, save.bestEpoch, save.comp]).toEqual([0.5, 3, "min"]);
    // The learner holds epoch 3's model again, not the last one's.
    expect(weights(learn)).toEqual(seen.get(3));
    expect(weights(learn)).not.toEqual(seen.get(4));
  });

  test("minDelta: an improvement must beat the best by more than minDelta", async () => {
    const { learn } = learnerInTmp();
    const seen = new Map<number, number[]>();
    const save = new SaveModel({ minDelta: 0.1 });
    await learn.fit(3, { cbs: [scriptValidLoss([1, 0.95, 0.5]), save, weightsByEpoch(seen)] });
    expect([save.best, save.bestEpoch]).toEqual([0.5, 2]);
    const again = learnerInTmp().learn;
    const save2 = new SaveModel({ minDelta: 0.1 });
    await again.fit(3, { cbs: [scriptValidLoss([1, 0.95, 0.91]), save2] });
    expect([save2.best, save2.bestEpoch]).toEqual([1, 0]);
  });

  test("a metric: monitor rmse with comp min follows the real metric", async () => {
    const { learn } = learnerInTmp({ metrics: [rmse] });
    const save = new SaveModel({ monitor: "rmse", comp: "min" });
    await learn.fit(3, { cbs: [save] });
    const rmses = (learn.recorder?.values ?? []).map((row) => row[2] as number);
    expect(rmses).toHaveLength(3);
    expect(save.best).toBe(Math.min(...rmses));
    expect(save.bestEpoch).toBe(rmses.indexOf(save.best));
  });

  test("comp max keeps the highest value", async () => {
    const { learn } = learnerInTmp();
    const save = new SaveModel({ comp: "max" });
    await learn.fit(4, { cbs: [scriptValidLoss([1, 3, 2, 2.5]), save] });
    expect([save.best, save.bestEpoch]).toEqual([3, 1]);
  });

  test("atEnd saves the final model as fname instead of reloading the best", async () => {
    const { learn } = learnerInTmp();
    const seen = new Map<number, number[]>();
    await learn.fit(3, {
      cbs: [scriptValidLoss([1, 2, 3]), new SaveModel({ atEnd: true }), weightsByEpoch(seen)],
    });
    expect(weights(learn)).toEqual(seen.get(2));
    expect(await loadedWeights(learn.path, "model")).toEqual(seen.get(2));
  });

  test("a cancelled fit still reloads the best; a fit cancelled before any epoch ended loads nothing", async () => {
    const { learn, models } = learnerInTmp();
    const seen = new Map<number, number[]>();
    const cancelAt = (epoch: number): Callback => ({
      before_epoch: (l) => {
        if (l.epoch === epoch) throw new CancelFitException();
      },
    });
    await learn.fit(5, {
      cbs: [scriptValidLoss([2, 1, 3]), new SaveModel(), weightsByEpoch(seen), cancelAt(3)],
    });
    expect(weights(learn)).toEqual(seen.get(1));
    rmSync(models, { recursive: true });
    const before = weights(learn);
    await learn.fit(2, { cbs: [new SaveModel(), cancelAt(0)] });
    expect(weights(learn)).toEqual(before);
    expect(() => statSync(models)).toThrow();
  });

  test("resetOnFit: false carries the best over to the next fit", async () => {
    const { learn } = learnerInTmp();
    const save = new SaveModel({ resetOnFit: false });
    await learn.fit(1, { cbs: [scriptValidLoss([0.5]), save] });
    learn.addCbs([scriptValidLoss([0.7, 0.4])]);
    await learn.fit(2, { cbs: [save] });
    expect([save.best, save.bestEpoch]).toEqual([0.4, 1]);
  });

  test("inferComp: loss-like and error-like names are minimised, others maximised", () => {
    expect(["valid_loss", "train_loss", "error_rate", "accuracy", "rmse"].map(inferComp)).toEqual([
      "min",
      "min",
      "min",
      "max",
      "max",
    ]);
    expect(new SaveModel({ monitor: "accuracy" }).comp).toBe("max");
    expect(new SaveModel({ monitor: "accuracy" }).best).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe("SaveModel: quiet during an LR finder run", () => {
  test("writes nothing while a callback marked LR_FINDER is in the fit, and works again afterwards", async () => {
    const { learn, models } = learnerInTmp();
    const save = new SaveModel({ everyEpoch: true });
    const best = new SaveModel({ fname: "best" });
    learn.addCbs([save, best]);
    const finder = { name: "FakeLrFinder", [LR_FINDER]: true } as Callback;
    await learn.fit(2, { cbs: [finder] });
    expect(() => statSync(models)).toThrow();
    await learn.fit(1);
    expect(files(models)).toEqual(["best.bin", "best.json", "model_0.bin", "model_0.json"]);
  });
});

describe("SaveModel: errors", () => {
  test("an unknown monitor fails at before_fit, naming the recorded columns; nothing runs or is written", async () => {
    const { learn, models } = learnerInTmp();
    const batches: number[] = [];
    const err = await learn
      .fit(1, {
        cbs: [new SaveModel({ monitor: "valid_los" }), { before_batch: (l) => batches.push(l.iter) }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallbackError);
    expect((err as CallbackError).event).toBe("before_fit");
    const cause = (err as CallbackError).cause as TrackerError;
    expect(cause).toBeInstanceOf(TrackerError);
    expect(cause.message).toBe(
      'SaveModel: monitor "valid_los" is not a recorded value; recorder.metricNames has [train_loss, valid_loss]',
    );
    expect(batches).toEqual([]);
    expect(() => statSync(models)).toThrow();
    await expect(learn.fit(1, { cbs: [new SaveModel({ monitor: "time" })] })).rejects.toThrow(
      /monitor "time"/,
    );
    await expect(learn.fit(1, { cbs: [new SaveModel({ monitor: "epoch" })] })).rejects.toThrow(
      /monitor "epoch"/,
    );
  });

  test.each([
    [{ everyEpoch: true, atEnd: true }, "SaveModel: everyEpoch and atEnd cannot be combined; pick one"],
    [{ everyEpoch: -1 }, "SaveModel: everyEpoch must be a boolean or a positive integer, got -1"],
    [{ everyEpoch: 1.5 }, "SaveModel: everyEpoch must be a boolean or a positive integer, got 1.5"],
    [{ overwrite: true }, "SaveModel: overwrite only applies with everyEpoch"],
    [{ fname: "" }, 'SaveModel: fname must be a non-empty file name, got ""'],
    [{ minDelta: -0.1 }, "SaveModel: minDelta must be a finite number >= 0, got -0.1"],
    [{ minDelta: Number.NaN }, "SaveModel: minDelta must be a finite number >= 0, got NaN"],
    [{ comp: "less" }, 'SaveModel: comp must be "min" or "max", got "less"'],
    [{ monitor: "" }, 'SaveModel: monitor must be a non-empty column name, got ""'],
  ])("constructor rejects %j", (opts, message) => {
    expect(() => new SaveModel(opts as never)).toThrow(new TrackerError(message));
  });
});
