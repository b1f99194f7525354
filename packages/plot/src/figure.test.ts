import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlotError } from "./errors.js";
import { plotLrFind } from "./lrfind.js";
import { checkWellFormed, pngSize, svgSize, svgTexts, tempDir } from "./test-files.js";

const lrs = Array.from({ length: 60 }, (_, i) => 1e-6 * 1e6 ** (i / 60));
const losses = lrs.map((lr) => 1 + 1 / (1 + (lr / 1e-3) ** 2) + lr);
const fig = plotLrFind({ lrs, losses }, { suggestions: { valley: { lr: 5e-4, point: [5e-4, 1.8] } } });
let dir = "";
let remove = async () => {};

beforeAll(async () => {
  ({ dir, remove } = await tempDir());
});
afterAll(() => remove());

describe("Figure.save", () => {
  it("writes a PNG whose IHDR size is the SVG size times the scale", async () => {
    const svg = await fig.toSVG();
    const size = svgSize(svg);
    expect(size.width).toBeGreaterThan(400);
    await fig.save(join(dir, "lr.png"));
    expect(pngSize(await readFile(join(dir, "lr.png")))).toEqual({
      width: 2 * size.width,
      height: 2 * size.height,
    });
    await fig.save(join(dir, "nested", "lr1.PNG"), { scale: 1 });
    expect(pngSize(await readFile(join(dir, "nested", "lr1.PNG")))).toEqual(size);
  });

  it("writes a well-formed SVG file with the titles and labels", async () => {
    await fig.save(join(dir, "lr.svg"));
    const svg = await readFile(join(dir, "lr.svg"), "utf8");
    expect(svg.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<svg')).toBe(true);
    expect(checkWellFormed(svg)).toBeGreaterThan(50);
    for (const t of ["Learning Rate", "Loss", "valley 5.00e-4"]) expect(svgTexts(svg)).toContain(t);
  });

  it("writes a self-contained HTML page with the SVG inline and no network reference", async () => {
    await fig.save(join(dir, "lr.html"));
    const html = await readFile(join(dir, "lr.html"), "utf8");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<title>LR finder</title>");
    expect(html.match(/<svg\b/g)).toHaveLength(1);
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    expect(html).not.toMatch(/https?:/);
    expect(html).not.toMatch(/<link\b/i);
    // The spec rides along as inert JSON and round-trips.
    const json = /<script type="application\/json" id="vega-lite-spec">([\s\S]*?)<\/script>/.exec(html)?.[1];
    expect(JSON.parse(json as string)).toEqual(JSON.parse(JSON.stringify(fig.spec)));
  });

  it("refuses an unknown extension with PlotError and writes nothing", async () => {
    const before = await readdir(dir);
    await expect(fig.save(join(dir, "lr.jpg"))).rejects.toThrow(PlotError);
    await expect(fig.save(join(dir, "lr.jpg"))).rejects.toThrow(
      /unknown file extension "\.jpg".*use \.png, \.svg or \.html/,
    );
    await expect(fig.save(join(dir, "lr"))).rejects.toThrow(/unknown file extension ""/);
    await expect(fig.save(join(dir, "x.png"), { scale: 0 })).rejects.toThrow(
      /scale must be a finite number > 0; got 0/,
    );
    expect(await readdir(dir)).toEqual(before);
  });

  it("leaves no temporary files behind", async () => {
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
