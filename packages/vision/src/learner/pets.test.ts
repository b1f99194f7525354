/**
 * The real-image test (the reference's own vision check): the Oxford-IIIT Pet sample through
 * fromNameFunc with Resize(64), cnnLearner(resnet18), fit(1), then the optimizer state of
 * parameter 1 has `gradAvg`. Generated photos in the Pets naming scheme stand in when the shared
 * data folder is absent.
 */
import { basename } from "node:path";
import { errorRate, initBackend, type Learner } from "@sched/learner";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ImageDataLoaders } from "../data/image-data-loaders.js";
import { isCat, petPhotos, RESNET_TEST_TIMEOUT } from "../data/test-pets.js";
import type { CnnModel } from "../models/cnn-model.js";
import { resnet18 } from "../models/resnet.js";
import { Resize } from "../transforms/resize.js";
import { cnnLearner, resetScratchNotice } from "./cnn-learner.js";

let photos: Awaited<ReturnType<typeof petPhotos>>;

beforeAll(async () => {
  await initBackend();
  photos = await petPhotos();
});

afterAll(async () => {
  await photos.cleanup();
});

it(
  "fits cnnLearner(resnet18) for one epoch on the Oxford-IIIT Pet photos (Resize(64), bs 8)",
  async () => {
    const { path, files, source } = photos;
    if (source === "shared") expect(files).toHaveLength(49);
    const before = tf.memory().numTensors;
    const dls = await ImageDataLoaders.fromNameFunc(path, files, isCat, {
      itemTfms: [Resize(64)],
      bs: 8,
      seed: 42,
    });
    expect(dls.vocab).toEqual([false, true]);
    const cats = files.filter((f) => isCat(basename(f))).length;
    if (source === "shared") expect(cats).toBe(24);

    const notices: string[] = [];
    resetScratchNotice();
    let learn: Learner<CnnModel, ImageDataLoaders> | undefined;
    try {
      learn = await cnnLearner(dls, resnet18, {
        metrics: [errorRate],
        seed: 0,
        warn: (m) => notices.push(m),
      });
      expect(notices).toHaveLength(1);
      await learn.noLogging(() => (learn as Learner<CnnModel, ImageDataLoaders>).fit(1));

      const rec = learn.recorder;
      expect(rec?.losses).toHaveLength(dls.train.length);
      expect(rec?.losses.every(Number.isFinite)).toBe(true);
      expect(rec?.values).toHaveLength(1);
      const [trainLoss, validLoss, err] = rec?.values[0] ?? [];
      for (const v of [trainLoss, validLoss]) expect(Number.isFinite(v)).toBe(true);
      expect(err).toBeGreaterThanOrEqual(0);
      expect(err).toBeLessThanOrEqual(1);

      // The reference's check: parameter 1 (bn1.weight) has a first-moment buffer after one epoch.
      const sd = learn.opt?.stateDict();
      try {
        const gradAvg = sd?.state[1]?.gradAvg;
        expect(gradAvg).toBeInstanceOf(tf.Tensor);
        expect((gradAvg as tf.Tensor).shape).toEqual([64]);
        expect((gradAvg as tf.Tensor).dataSync().every(Number.isFinite)).toBe(true);
      } finally {
        for (const s of sd?.state ?? [])
          for (const v of Object.values(s)) if (typeof v !== "number") v.dispose();
      }
    } finally {
      learn?.dispose();
      dls.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  },
  RESNET_TEST_TIMEOUT,
);
