import { readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it, vi } from "vitest";

// Runs the README's example against this package's source, so the README stays accurate.
it("the README example runs and prints what it says", async () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const readme = await readFile(join(here, "..", "README.md"), "utf8");
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const file = join(here, `readme-example-${process.pid}.tmp.ts`);
  await writeFile(file, (code as string).replace('"@sched/suggest"', '"./index.js"'));
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    await import(/* @vite-ignore */ file);
    const lines = log.mock.calls.map((c) => c.map(String).join(" "));
    expect(lines[0]).toBe("valley,minimum,steep,slide10");
    expect(lines).toContain("");
    expect(lines).toContain("diverged");
    expect(lines.at(-1)).toBe("0.003");
  } finally {
    log.mockRestore();
    await rm(file, { force: true });
  }
});
