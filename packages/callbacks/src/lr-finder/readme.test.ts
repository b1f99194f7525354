import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { afterAll, expect, test, vi } from "vitest";

// The examples of the README's "LR finder" section run as written (only @sched/callbacks points at the sources).
const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, "..", "..", "README.md"), "utf8");
const start = readme.indexOf("\n## LR finder\n");
const end = readme.indexOf("\n## ", start + 1);
const section = readme.slice(start, end < 0 ? undefined : end);
const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
const tmp = join(here, "__readme__");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test("the README has an LR finder section with its examples", () => {
  expect(start).toBeGreaterThan(0);
  expect(blocks.length).toBe(3);
});

test.each(blocks.map((code, i) => [i, code] as const))(
  "LR finder example %i runs, prints what it says and leaks nothing",
  async (i, code) => {
    mkdirSync(tmp, { recursive: true });
    const file = join(tmp, `lr-finder-example-${i}.ts`);
    writeFileSync(file, code.replaceAll('"@sched/callbacks"', '"../../index.js"'));
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
    const claims = [...code.matchAll(/console\.log\((.*)\); \/\/ ((?:true ?)+)/gm)].map((m) => m[2]?.trim());
    expect(claims.length).toBeGreaterThan(0);
    for (const claim of claims) expect(printed).toContain(claim);
  },
);
