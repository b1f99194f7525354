/** The README's examples run as written (the package import pointed at the sources) and print what they claim. */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { initBackend } from "@sched/learner";
import * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, expect, it, vi } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, "..", "README.md"), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);
const tmp = join(here, "__readme__");
beforeAll(async () => {
  await initBackend();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What a block claims it prints: its `console.log(...); // → X` lines, in order. */
const claims = (code: string) =>
  [...code.matchAll(/console\.log\(.*\); \/\/ → (.*)$/gm)].map((m) => (m[1] as string).trim());

it("the README has an example for each policy and for resuming", () => {
  expect(blocks).toHaveLength(4);
  for (const name of ["fitOneCycle", "fitFlatCos", "fitSgdr", "fineTune", "startEpoch"]) {
    expect(blocks.some((b) => b.includes(name))).toBe(true);
  }
});

it.each(blocks.map((code, i) => [i, code] as const))(
  "README example %i prints exactly what it claims and leaks nothing",
  async (i, code) => {
    mkdirSync(tmp, { recursive: true });
    const file = join(tmp, `example-${i}.ts`);
    writeFileSync(file, code.replaceAll('"@sched/policies"', '"../index.js"'));
    const printed: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(" "));
    });
    const before = tf.memory().numTensors;
    try {
      await import(pathToFileURL(file).href);
    } finally {
      spy.mockRestore();
    }
    expect(tf.memory().numTensors).toBe(before);
    const expected = claims(code);
    expect(expected.length).toBeGreaterThan(0);
    expect(printed).toEqual(expected);
  },
);
