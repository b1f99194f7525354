/**
 * The README examples of the model half (ImageDataLoaders, the ResNets, cnnLearner, weights) run as
 * written; only the package imports point at the sources, and without the shared data folder the
 * pets path points at generated photos. Examples needing the network (untarData) are not run here.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { initBackend } from "@sched/learner";
import { runBlock, trueClaims, tsBlocks } from "@sched/readme-examples";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { petPhotos, RESNET_TEST_TIMEOUT } from "../data/test-pets.js";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const MODEL_API = /\b(ImageDataLoaders|cnnLearner|resnet18|resnet34|saveWeights|loadWeights)\b/;
const blocks = tsBlocks(readFileSync(join(packageDir, "README.md"), "utf8"))
  // Skips blocks that call untarData (outside a comment): they need the network.
  .filter((code) => MODEL_API.test(code) && !/^[^/\n]*untarData\(/m.test(code));
const SHARED_PETS = "/work/shared/data/oxford-pets-sample";
const imports = { "@sched/vision": join(packageDir, "src", "index.ts") };
let photos: Awaited<ReturnType<typeof petPhotos>>;

beforeAll(async () => {
  await initBackend();
  photos = await petPhotos();
});

afterAll(async () => {
  await photos.cleanup();
});

test("the README has its model examples", () => {
  expect(blocks.length).toBeGreaterThanOrEqual(5);
});

test.each(blocks.map((code, i) => [i, code] as const))(
  "README model example %i runs, prints its `// true` claims and leaks nothing",
  async (_i, code) => {
    const run = await runBlock(code.replaceAll(SHARED_PETS, photos.path), {
      packageDir,
      imports,
      capture: ["log", "warn"],
      countTensors: () => tf.memory().numTensors,
    });
    expect(run.tensorChange).toBe(0);
    for (const claim of trueClaims(code)) expect(run.printed).toContain(claim);
  },
  RESNET_TEST_TIMEOUT,
);
