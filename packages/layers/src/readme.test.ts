import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readmeSection, runBlock, trueClaims, tsBlocks } from "@sched/readme-examples";
import * as tf from "@tensorflow/tfjs";
import { expect, it } from "vitest";
import { useBackend } from "./test-helpers.js";

useBackend();

// Runs the README's example against this package's source from an empty folder, so the README stays
// accurate; its other imports resolve from this package's node_modules, as a user's would.
it("the README example runs, prints what it says and writes lr_find.png", async () => {
  const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
  const code = tsBlocks(readFileSync(join(packageDir, "README.md"), "utf8"))[0];
  expect(code).toBeDefined();
  const tensors = tf.memory().numTensors;
  const run = await runBlock(`${code}\nexport { model };\n`, {
    packageDir,
    imports: { "@sched/layers": join(packageDir, "src", "index.ts") },
  });
  const printed = run.calls;
  const seen = JSON.stringify(printed);
  expect([...run.written.keys()], seen).toEqual(["lr_find.png"]);
  expect(run.written.get("lr_find.png")?.subarray(1, 4).toString()).toBe("PNG");
  expect(printed.length, seen).toBe(4);
  expect(printed[0], seen).toEqual([48]);
  expect(printed[1], seen).toEqual([["valley", "minimum", "steep"]]);
  expect(Array.isArray(printed[2]?.[0]), seen).toBe(true);
  expect(printed[3], seen).toEqual([5, 80]);
  // Freeing the example's own model and optimizer frees everything it made.
  const model = run.exports.model as tf.LayersModel;
  model.optimizer.dispose();
  model.dispose();
  expect(tf.memory().numTensors).toBe(tensors);
});

it('the README example of lrFind on the validation loss runs, prints "true" where it says, leaks nothing', async () => {
  const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
  const readme = readFileSync(join(packageDir, "README.md"), "utf8");
  const section = readmeSection(
    readme,
    'lrFind on the validation loss: `validationData` and `suggestOn: "valid"`',
  );
  const code = tsBlocks(section ?? "")[0];
  expect(code).toBeDefined();
  const run = await runBlock(code as string, {
    packageDir,
    imports: { "@sched/layers": join(packageDir, "src", "index.ts") },
    countTensors: () => tf.memory().numTensors,
  });
  expect(run.tensorChange).toBe(0);
  const claims = trueClaims(code as string);
  expect(claims).toEqual(["true", "true", "true", "true"]);
  expect(run.printed.filter((line) => line === "true")).toHaveLength(4);
  expect(run.printed[3], run.printed.join("\n")).toMatch(
    /^halfway: \d\.\d\de-\d+ \(train\), \d\.\d\de-\d+ \(valid\)$/,
  );
});
