import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runBlock, trueClaims, tsBlocks } from "@sched/readme-examples";
import * as tf from "@tensorflow/tfjs";
import { expect, test } from "vitest";

// The README's examples are run as they are written (only the package imports point at the sources).
const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const blocks = tsBlocks(readFileSync(join(packageDir, "README.md"), "utf8"));
const imports = {
  "@sched/learner/testing": join(packageDir, "src", "testing.ts"),
  "@sched/learner": join(packageDir, "src", "index.ts"),
};

test("the README has its examples", () => {
  expect(blocks.length).toBeGreaterThanOrEqual(4);
});

test.each(blocks.map((code, i) => [i, code] as const))(
  "README example %i runs, prints what it says and leaks nothing",
  async (_i, code) => {
    const run = await runBlock(code, { packageDir, imports, countTensors: () => tf.memory().numTensors });
    expect(run.tensorChange).toBe(0);
    // Every `console.log(...); // true ...` line must print exactly its comment.
    for (const claim of trueClaims(code)) expect(run.printed).toContain(claim);
  },
);
