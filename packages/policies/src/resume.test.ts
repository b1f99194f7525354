import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SaveModel } from "@sched/callbacks";
import { type Callback, CancelFitException, initBackend, type Learner } from "@sched/learner";
import { synthLearner, testClose } from "@sched/learner/testing";
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { fitFlatCos } from "./flat-cos.js";
import { fitOneCycle } from "./one-cycle.js";
import { fitSgdr } from "./sgdr.js";

beforeAll(async () => {
  await initBackend();
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), "resume-"));
  dirs.push(dir);
  return dir;
}

const weights = (l: Learner) => l.module.variables.map((v) => v.dataSync()[0] as number);

/** The optimizer's momentum buffers, as numbers. */
function momentum(l: Learner): number[] {
  const sd = l.opt?.stateDict();
  try {
    return (sd?.state ?? []).map((s) => (s.gradAvg as tf.Tensor).dataSync()[0] as number);
  } finally {
    for (const s of sd?.state ?? [])
      for (const v of Object.values(s)) if (v instanceof tf.Tensor) v.dispose();
  }
}

function cancelAtEpoch(epoch: number): Callback {
  return {
    name: "CancelAtEpoch",
    before_epoch: (l) => {
      if (l.epoch === epoch) throw new CancelFitException();
    },
  };
}

const sha = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

describe("exact resume (spec §9 item 19, with assertions)", () => {
  test("fitOneCycle(5) cancelled at epoch 2, resumed on a fresh learner from its checkpoint with startEpoch 2", async () => {
    const tensorsBefore = tf.memory().numTensors;
    const path = tmp();
    const make = () => {
      const l = synthLearner({ path, seed: 4, lr: 1e-2 });
      l.logger = () => {};
      return l;
    };
    const full = make();
    const first = make();
    const second = make();
    const shuffled = make();
    try {
      await fitOneCycle(full, 5);
      const fullHps = full.recorder?.hps ?? {};
      expect(fullHps.lr).toHaveLength(50);

      await fitOneCycle(first, 5, {
        cbs: [new SaveModel({ everyEpoch: true, fname: "ckpt" }), cancelAtEpoch(2)],
      });
      const models = join(path, "models");
      expect(readdirSync(models).sort()).toEqual(["ckpt_0.bin", "ckpt_0.json", "ckpt_1.bin", "ckpt_1.json"]);
      expect(first.recorder?.hps.lr).toEqual(fullHps.lr?.slice(0, 20));
      const kept = ["ckpt_0.json", "ckpt_1.json", "ckpt_1.bin"].map((f) => sha(join(models, f)));

      await second.load("ckpt_1");
      await fitOneCycle(second, 5, {
        startEpoch: 2,
        cbs: [new SaveModel({ everyEpoch: true, fname: "ckpt" })],
      });
      const hps = second.recorder?.hps ?? {};
      // Exactly the same schedule positions, so exactly the same values.
      expect(hps.lr).toEqual(fullHps.lr?.slice(20));
      expect(hps.mom).toEqual(fullHps.mom?.slice(20));
      // Same weights and optimizer state as the uninterrupted run.
      testClose(weights(second), weights(full), 1e-6);
      testClose(momentum(second), momentum(full), 1e-6);
      // The resume wrote epochs 2..4 and left the checkpoints it resumed from alone.
      expect(
        readdirSync(models)
          .filter((f) => f.endsWith(".json"))
          .sort(),
      ).toEqual(["ckpt_0.json", "ckpt_1.json", "ckpt_2.json", "ckpt_3.json", "ckpt_4.json"]);
      expect(["ckpt_0.json", "ckpt_1.json", "ckpt_1.bin"].map((f) => sha(join(models, f)))).toEqual(kept);
      // Control: the same resume seeing other shuffle orders ends elsewhere, so the match is not luck.
      await shuffled.load("ckpt_1");
      shuffled.dls.train.epoch = 3;
      await fitOneCycle(shuffled, 5, { startEpoch: 2 });
      expect(shuffled.recorder?.hps.lr).toEqual(hps.lr);
      const gap = Math.max(...weights(shuffled).map((w, i) => Math.abs(w - (weights(full)[i] as number))));
      expect(gap).toBeGreaterThan(1e-5);
    } finally {
      for (const l of [full, first, second, shuffled]) {
        l.dispose();
        l.dls.dispose();
      }
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  test.each([
    ["fitFlatCos", (l: Learner, s?: number) => fitFlatCos(l, 4, s === undefined ? {} : { startEpoch: s })],
    ["fitSgdr", (l: Learner, s?: number) => fitSgdr(l, 2, 2, s === undefined ? {} : { startEpoch: s })],
  ] as const)("%s resumes its schedule and weights exactly too", async (_, policy) => {
    const path = tmp();
    const make = () => {
      const l = synthLearner({ path, seed: 6, lr: 1e-2, nTrn: 4 });
      l.logger = () => {};
      return l;
    };
    const [full, first, second] = [make(), make(), make()];
    try {
      await policy(full);
      first.addCbs([new SaveModel({ everyEpoch: true, fname: "ckpt" }), cancelAtEpoch(2)]);
      await policy(first);
      await second.load("ckpt_1");
      await policy(second, 2);
      const n = full.recorder?.hps.lr?.length ?? 0;
      expect(n).toBeGreaterThanOrEqual(16);
      expect(second.recorder?.hps.lr).toEqual(full.recorder?.hps.lr?.slice(8));
      testClose(weights(second), weights(full), 1e-6);
    } finally {
      for (const l of [full, first, second]) {
        l.dispose();
        l.dls.dispose();
      }
    }
  });
});
