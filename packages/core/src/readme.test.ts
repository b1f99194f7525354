/** The README's examples run as written (imports pointed at the sources) and print what they claim. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { arrowClaims, runBlock, tsBlocks } from "@sched/readme-examples";
import { expect, it } from "vitest";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const blocks = tsBlocks(readFileSync(join(packageDir, "README.md"), "utf8")).filter((code) =>
  code.includes('from "@sched/core"'),
);
const imports = { "@sched/core": join(packageDir, "src", "index.ts") };

/** What a block claims it prints: `console.log(...); // → X` lines, and `// X` lines after a loop. */
function claims(code: string): string[] {
  const inline = arrowClaims(code);
  if (inline.length > 0) return inline;
  const tail = code.slice(code.lastIndexOf("}\n") + 2);
  return [...tail.matchAll(/^\/\/ (.*)$/gm)].map((m) => (m[1] as string).trim());
}

it("the README has its runnable examples", () => {
  expect(blocks.length).toBe(2);
});

it.each(blocks.map((code, i) => [i, code] as const))(
  "README example %i prints exactly what it claims",
  async (_i, code) => {
    const run = await runBlock(code, { packageDir, imports });
    const expected = claims(code);
    expect(expected.length).toBeGreaterThan(0);
    expect(run.printed).toEqual(expected);
  },
);
