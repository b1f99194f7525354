import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runBlock, tsBlocks } from "@sched/readme-examples";
import { expect, it } from "vitest";
import { pngSize } from "./test-files.js";

// Runs the README's example against this package's source in an empty folder, so the README stays accurate.
it("the README example runs and writes the files it names", async () => {
  const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
  const code = tsBlocks(readFileSync(join(packageDir, "README.md"), "utf8"))[0];
  expect(code).toBeDefined();
  const run = await runBlock(code as string, {
    packageDir,
    imports: { "@sched/plot": join(packageDir, "src", "index.ts") },
  });
  expect([...run.written.keys()].sort()).toEqual([
    "out/loss.html",
    "out/lr_find.svg",
    "out/report.html",
    "out/schedule.png",
  ]);
  expect(pngSize(run.written.get("out/schedule.png") as Buffer).width).toBeGreaterThan(0);
  expect(run.written.get("out/report.html")?.toString("utf8")).toContain("valley suggests 3.02e-4.");
  expect(run.calls[0]?.[0]).toContain("datasets");
});
