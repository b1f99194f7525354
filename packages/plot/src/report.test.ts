import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { inlineSvg } from "./html.js";
import { plotLoss } from "./loss.js";
import { plotLrFind } from "./lrfind.js";
import { epochTable, formatCell, renderReport, saveReport } from "./report.js";
import { plotSched } from "./sched.js";
import { tempDir } from "./test-files.js";

const recorder = {
  lrs: Array.from({ length: 50 }, (_, i) => 1e-5 * 1e4 ** (i / 50)),
  losses: Array.from({ length: 50 }, (_, i) => 2 - i / 50),
  iters: [25, 50],
  values: [
    [1.5, 1.4, 0.123456],
    [1.1, 1.2, 0.5],
  ],
  metricNames: ["epoch", "train_loss", "valid_loss", "accuracy", "time"],
  hps: { lr: Array.from({ length: 50 }, (_, i) => 1e-3 * (i + 1)) },
};

describe("renderReport / saveReport", () => {
  it("puts figures inline, tables and escaped text in one self-contained page", async () => {
    const html = await renderReport({
      title: "Run <1>",
      sections: [
        { heading: "Schedule", figure: plotSched(recorder) },
        { heading: "LR finder", figure: plotLrFind(recorder), text: "valley & friends\n\nsecond <p>" },
        { heading: "Loss", figure: plotLoss(recorder), table: epochTable(recorder, "Epochs") },
      ],
    });
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<title>Run &lt;1&gt;</title>");
    expect(html.match(/<svg\b/g)).toHaveLength(3);
    expect(html.match(/<h2>/g)).toHaveLength(3);
    expect(html).toContain("<p>valley &amp; friends</p>\n<p>second &lt;p&gt;</p>");
    expect(html).toContain(
      "<caption>Epochs</caption><thead><tr><th>epoch</th><th>train_loss</th><th>valid_loss</th><th>accuracy</th></tr></thead>",
    );
    expect(html).toContain("<tr><td>0</td><td>1.5</td><td>1.4</td><td>0.1235</td></tr>");
    expect(html).not.toMatch(/<script\b/i);
    expect(html).not.toMatch(/https?:/);
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("saveReport writes the page and refuses other extensions", async () => {
    const { dir, remove } = await tempDir();
    try {
      const report = { title: "R", sections: [{ heading: "Loss", figure: plotLoss(recorder) }] };
      await saveReport(join(dir, "out", "report.html"), report);
      const html = await readFile(join(dir, "out", "report.html"), "utf8");
      expect(html).toContain("<h2>Loss</h2>");
      await expect(saveReport(join(dir, "report.png"), report)).rejects.toThrow(
        /a report is HTML; got extension "\.png"/,
      );
    } finally {
      await remove();
    }
  });

  it("rejects tables whose rows do not match the columns", async () => {
    const table = { columns: ["a", "b"], rows: [[1]] };
    await expect(renderReport({ title: "T", sections: [{ heading: "x", table }] })).rejects.toThrow(
      /sections\[0\].table: table row 0 has 1 cells; the table has 2 columns/,
    );
  });
});

describe("inlineSvg", () => {
  it("scopes ids and their references and drops namespace URLs", () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><defs><clipPath id="clip1"/></defs>' +
      '<g clip-path="url(#clip1)"><use href="#clip1"/></g></svg>';
    expect(inlineSvg(svg, "f2-")).toBe(
      '<svg><defs><clipPath id="f2-clip1"/></defs><g clip-path="url(#f2-clip1)"><use href="#f2-clip1"/></g></svg>',
    );
  });
});

describe("epochTable and formatCell", () => {
  it("labels rows by epoch and falls back to generic names when metricNames do not fit", () => {
    expect(epochTable(recorder).columns).toEqual(["epoch", "train_loss", "valid_loss", "accuracy"]);
    const finder = { values: [[0.5], [0.4]], metricNames: ["epoch", "train_loss", "valid_loss", "time"] };
    expect(epochTable(finder)).toEqual({
      columns: ["epoch", "train_loss"],
      rows: [
        [0, 0.5],
        [1, 0.4],
      ],
    });
    expect(epochTable({ values: [[1, 2]] }).columns).toEqual(["epoch", "value 1", "value 2"]);
  });

  it("shows integers as they are and other numbers with 4 significant digits", () => {
    expect([
      formatCell(3),
      formatCell(0.123456),
      formatCell(1.23456e-7),
      formatCell(null),
      formatCell("x"),
    ]).toEqual(["3", "0.1235", "1.235e-7", "", "x"]);
  });
});
