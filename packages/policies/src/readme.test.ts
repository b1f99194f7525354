/** The README's examples run as written (the package import pointed at the sources) and print what they claim. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { initBackend } from "@sched/learner";
import { arrowClaims, runBlock, tsBlocks } from "@sched/readme-examples";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, expect, it } from "vitest";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const blocks = tsBlocks(readFileSync(join(packageDir, "README.md"), "utf8"));
const imports = { "@sched/policies": join(packageDir, "src", "index.ts") };
beforeAll(async () => {
  await initBackend();
});

it("the README has an example for each policy and for resuming", () => {
  expect(blocks).toHaveLength(4);
  for (const name of ["fitOneCycle", "fitFlatCos", "fitSgdr", "fineTune", "startEpoch"]) {
    expect(blocks.some((b) => b.includes(name))).toBe(true);
  }
});

it.each(blocks.map((code, i) => [i, code] as const))(
  "README example %i prints exactly what it claims and leaks nothing",
  async (_i, code) => {
    const run = await runBlock(code, { packageDir, imports, countTensors: () => tf.memory().numTensors });
    expect(run.tensorChange).toBe(0);
    const expected = arrowClaims(code);
    expect(expected.length).toBeGreaterThan(0);
    expect(run.printed).toEqual(expected);
  },
);
