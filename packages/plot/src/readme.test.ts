import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it, vi } from "vitest";
import { pngSize } from "./test-files.js";

// Runs the README's example against this package's source in a temp dir, so the README stays accurate.
it("the README example runs and writes the files it names", async () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const readme = await readFile(join(here, "..", "README.md"), "utf8");
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  const dir = await mkdtemp(join(tmpdir(), "plot-readme-"));
  const file = join(dir, "example.ts");
  await writeFile(file, (code as string).replace('"@sched/plot"', JSON.stringify(join(here, "index.ts"))));
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    await import(/* @vite-ignore */ file);
    expect((await readdir(join(dir, "out"))).sort()).toEqual([
      "loss.html",
      "lr_find.svg",
      "report.html",
      "schedule.png",
    ]);
    expect(pngSize(await readFile(join(dir, "out", "schedule.png"))).width).toBeGreaterThan(0);
    expect(await readFile(join(dir, "out", "report.html"), "utf8")).toContain("valley suggests 3.02e-4.");
    expect(log.mock.calls[0]?.[0]).toContain("datasets");
  } finally {
    process.chdir(cwd);
    log.mockRestore();
    await rm(dir, { recursive: true, force: true });
  }
});
