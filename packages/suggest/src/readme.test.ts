import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runBlock, tsBlocks } from "@sched/readme-examples";
import { expect, it } from "vitest";

// Runs the README's examples against this package's source, so the README stays accurate.
const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const blocks = tsBlocks(readFileSync(join(packageDir, "README.md"), "utf8"));
const imports = { "@sched/suggest": join(packageDir, "src", "index.ts") };

it("the README example runs and prints what it says", async () => {
  const code = blocks[0];
  expect(code).toBeDefined();
  const lines = (await runBlock(code as string, { packageDir, imports })).printed;
  expect(lines[0]).toBe("valley,minimum,steep,slide10");
  expect(lines).toContain("");
  expect(lines).toContain("diverged");
  expect(lines.at(-1)).toBe("0.003");
});

it("the README example of lrFind's result runs and prints what it says", async () => {
  const code = blocks[1];
  expect(code).toContain("lrFindResult");
  const run = await runBlock(code as string, { packageDir, imports });
  expect(run.calls).toEqual([
    [["valley", "minimum"], true],
    [true],
    [["valley", "minimum"], true, undefined],
    [true, 3],
    [true, true],
  ]);
});
