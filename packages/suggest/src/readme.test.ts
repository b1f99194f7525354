import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it, vi } from "vitest";

// Runs the README's example against this package's source, so the README stays accurate.
it("the README example runs and prints what it says", async () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const readme = await readFile(join(here, "..", "README.md"), "utf8");
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const dir = await mkdtemp(join(tmpdir(), "suggest-readme-"));
  const file = join(dir, "example.ts");
  await writeFile(file, (code as string).replace('"@sched/suggest"', JSON.stringify(join(here, "index.ts"))));
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
    await rm(dir, { recursive: true, force: true });
  }
});

it("the README example of lrFind's result runs and prints what it says", async () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const readme = await readFile(join(here, "..", "README.md"), "utf8");
  const code = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)][1]?.[1];
  expect(code).toContain("lrFindResult");
  const dir = await mkdtemp(join(tmpdir(), "suggest-readme-"));
  const file = join(dir, "example.ts");
  await writeFile(file, (code as string).replace('"@sched/suggest"', JSON.stringify(join(here, "index.ts"))));
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    await import(/* @vite-ignore */ file);
    expect(log.mock.calls).toEqual([
      [["valley", "minimum"], true],
      [true],
      [["valley", "minimum"], true, undefined],
      [true, 3],
      [true, true],
    ]);
  } finally {
    log.mockRestore();
    await rm(dir, { recursive: true, force: true });
  }
});
