/** The README's ParamScheduler and SaveModel examples run as written and print what they claim. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { initBackend } from "@sched/learner";
import { arrowClaims, runBlock, tsBlocks } from "@sched/readme-examples";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, expect, it } from "vitest";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const blocks = tsBlocks(readFileSync(join(packageDir, "README.md"), "utf8")).filter((code) =>
  /import \{[^}]*\b(ParamScheduler|SaveModel)\b[^}]*\} from "@sched\/callbacks"/.test(code),
);
const imports = { "@sched/callbacks": join(packageDir, "src", "index.ts") };
beforeAll(async () => {
  await initBackend();
});

it("the README has its ParamScheduler and SaveModel examples", () => {
  expect(blocks.length).toBe(2);
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
