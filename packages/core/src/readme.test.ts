/** The README's examples run as written (imports pointed at the sources) and print what they claim. */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, expect, it, vi } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, "..", "README.md"), "utf8");
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
  .map((m) => m[1] as string)
  .filter((code) => code.includes('from "@sched/core"'));
const tmp = join(here, "__readme__");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What a block claims it prints: `console.log(...); // → X` lines, and `// X` lines after a loop. */
function claims(code: string): string[] {
  const inline = [...code.matchAll(/console\.log\(.*\); \/\/ → (.*)$/gm)].map((m) => (m[1] as string).trim());
  if (inline.length > 0) return inline;
  const tail = code.slice(code.lastIndexOf("}\n") + 2);
  return [...tail.matchAll(/^\/\/ (.*)$/gm)].map((m) => (m[1] as string).trim());
}

it("the README has its runnable examples", () => {
  expect(blocks.length).toBe(2);
});

it.each(blocks.map((code, i) => [i, code] as const))(
  "README example %i prints exactly what it claims",
  async (i, code) => {
    mkdirSync(tmp, { recursive: true });
    const file = join(tmp, `example-${i}.ts`);
    writeFileSync(file, code.replaceAll('"@sched/core"', '"../index.js"'));
    const printed: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
      printed.push(args.map(String).join(" "));
    });
    try {
      await import(pathToFileURL(file).href);
    } finally {
      spy.mockRestore();
    }
    const expected = claims(code);
    expect(expected.length).toBeGreaterThan(0);
    expect(printed).toEqual(expected);
  },
);
