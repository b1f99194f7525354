import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readmeSection, runBlock, trueClaims, tsBlocks } from "@sched/readme-examples";
import * as tf from "@tensorflow/tfjs";
import { expect, test } from "vitest";

// The examples of the README's "LR finder" section run as written (only @sched/callbacks points at the sources).
const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const section = readmeSection(readFileSync(join(packageDir, "README.md"), "utf8"), "LR finder");
const blocks = tsBlocks(section ?? "");
const imports = { "@sched/callbacks": join(packageDir, "src", "index.ts") };

test("the README has an LR finder section with its examples", () => {
  expect(section).toBeDefined();
  expect(blocks.length).toBe(4);
});

test.each(blocks.map((code, i) => [i, code] as const))(
  "LR finder example %i runs, prints what it says and leaks nothing",
  async (_i, code) => {
    const run = await runBlock(code, { packageDir, imports, countTensors: () => tf.memory().numTensors });
    expect(run.tensorChange).toBe(0);
    // Every `console.log(...); // true ...` line must print exactly its comment.
    const claims = trueClaims(code);
    expect(claims.length).toBeGreaterThan(0);
    for (const claim of claims) expect(run.printed).toContain(claim);
  },
);
