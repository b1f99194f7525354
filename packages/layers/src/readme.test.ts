import { mkdir, mkdtemp, readdir, readFile, rm, rmdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { expect, it, vi } from "vitest";
import { useBackend } from "./test-helpers.js";

useBackend();

// Runs the README's example against this package's source from an empty folder, so the README stays
// accurate. The example file sits in the package's (git-ignored) out/ folder, so that its imports
// resolve as a user's would.
it("the README example runs, prints what it says and writes lr_find.png", async () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const readme = await readFile(join(here, "..", "README.md"), "utf8");
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const outDir = join(here, "..", "out");
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, `readme-example-${process.pid}.ts`);
  const source = (code as string).replace('"@sched/layers"', JSON.stringify(join(here, "index.ts")));
  await writeFile(file, `${source}\nexport { model };\n`);
  const work = await mkdtemp(join(tmpdir(), "layers-readme-"));
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  const cwd = process.cwd();
  const tensors = tf.memory().numTensors;
  process.chdir(work);
  try {
    const example = (await import(/* @vite-ignore */ file)) as { model: tf.LayersModel };
    const printed = log.mock.calls;
    const seen = JSON.stringify(printed);
    expect(await readdir(work), seen).toEqual(["lr_find.png"]);
    const png = await readFile(join(work, "lr_find.png"));
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    expect(printed.length, seen).toBe(4);
    expect(printed[0], seen).toEqual([48]);
    expect(printed[1], seen).toEqual([["valley", "minimum", "steep"]]);
    expect(Array.isArray(printed[2]?.[0]), seen).toBe(true);
    expect(printed[3], seen).toEqual([5, 80]);
    // Freeing the example's own model and optimizer frees everything it made.
    example.model.optimizer.dispose();
    example.model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
  } finally {
    process.chdir(cwd);
    log.mockRestore();
    await rm(work, { recursive: true, force: true });
    await rm(file, { force: true });
    await rmdir(outDir).catch(() => {}); // only when empty: out/ may hold other files
  }
});
