import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { afterAll, expect, test, vi } from "vitest";

// The README's examples are run as they are written (only the package imports point at the sources).
const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, "..", "README.md"), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
const tmp = join(here, "__readme__");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test("the README has its examples", () => {
  expect(blocks.length).toBeGreaterThanOrEqual(4);
});

test.each(blocks.map((code, i) => [i, code] as const))(
  "README example %i runs, prints what it says and leaks nothing",
  async (i, code) => {
    mkdirSync(tmp, { recursive: true });
    const file = join(tmp, `example-${i}.ts`);
    writeFileSync(
      file,
      code
        .replaceAll('"@sched/learner/testing"', '"../testing.js"')
        .replaceAll('"@sched/learner"', '"../index.js"'),
    );
    const printed: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(" "));
    });
    try {
      const before = tf.memory().numTensors;
      await import(pathToFileURL(file).href);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      spy.mockRestore();
    }
    // Every `console.log(...); // true ...` line must print exactly its comment.
    const claims = [...code.matchAll(/console\.log\((.*)\); \/\/ ((?:true ?)+)$/gm)].map((m) => m[2]?.trim());
    for (const claim of claims) expect(printed).toContain(claim);
  },
);
