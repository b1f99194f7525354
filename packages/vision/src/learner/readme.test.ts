/**
 * The README examples of the model half (ImageDataLoaders, the ResNets, cnnLearner, weights) run as
 * written; only the package imports point at the sources, and without the shared data folder the
 * pets path points at generated photos. Examples needing the network (untarData) are not run here.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { initBackend } from "@sched/learner";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { petPhotos, RESNET_TEST_TIMEOUT } from "../data/test-pets.js";

const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, "..", "..", "README.md"), "utf8");
const MODEL_API = /\b(ImageDataLoaders|cnnLearner|resnet18|resnet34|saveWeights|loadWeights)\b/;
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
  .map((m) => m[1] as string)
  // Skips blocks that call untarData (outside a comment): they need the network.
  .filter((code) => MODEL_API.test(code) && !/^[^/\n]*untarData\(/m.test(code));
const SHARED_PETS = "/work/shared/data/oxford-pets-sample";
const tmp = join(here, "__readme__");
let photos: Awaited<ReturnType<typeof petPhotos>>;

beforeAll(async () => {
  await initBackend();
  photos = await petPhotos();
});

afterAll(async () => {
  rmSync(tmp, { recursive: true, force: true });
  await photos.cleanup();
});

test("the README has its model examples", () => {
  expect(blocks.length).toBeGreaterThanOrEqual(5);
});

test.each(blocks.map((code, i) => [i, code] as const))(
  "README model example %i runs, prints its `// true` claims and leaks nothing",
  async (i, code) => {
    mkdirSync(tmp, { recursive: true });
    const file = join(tmp, `example-${i}.ts`);
    writeFileSync(
      file,
      code.replaceAll(SHARED_PETS, photos.path).replaceAll('"@sched/vision"', '"../../index.js"'),
    );
    const printed: string[] = [];
    const spies = (["log", "warn"] as const).map((fn) =>
      vi.spyOn(console, fn).mockImplementation((...args: unknown[]) => {
        printed.push(args.map(String).join(" "));
      }),
    );
    try {
      const before = tf.memory().numTensors;
      await import(pathToFileURL(file).href);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      for (const s of spies) s.mockRestore();
    }
    const claims = [...code.matchAll(/console\.log\((.*)\); \/\/ ((?:true ?)+)$/gm)].map((m) => m[2]?.trim());
    for (const claim of claims) expect(printed).toContain(claim);
  },
  RESNET_TEST_TIMEOUT,
);
