import { describe, expect, it } from "vitest";
import { HEIGHT, WIDTH } from "./check.js";
import { LABEL_LINE, labelBox, labelWidth, overlaps, placeLabels } from "./labels.js";
import { plotLrFind, suggestionLabel } from "./lrfind.js";
import type { SuggestionMark } from "./types.js";

const n = 100;
const lrs = Array.from({ length: n }, (_, i) => 1e-7 * 1e8 ** (i / n));
const losses = lrs.map((lr) => 0.4 + 2 / (1 + (lr / 1e-3) ** 1.5) + lr ** 2);
const validLosses = lrs.map((lr) => 0.45 + 2 / (1 + (lr / 2e-3) ** 1.5) + 2 * lr);
/** The suggestion at recorded point `i` of a curve: inside its extent, so the axes stay as they are. */
const at = (i: number, curve = losses): SuggestionMark => ({
  lr: lrs[i] as number,
  point: [lrs[i] as number, curve[i] as number],
});

interface Drawn {
  text: string;
  x: number;
  y: number;
  anchor: string | undefined;
}
/** The suggestion labels of a rendered figure (legend entries are not text marks). */
const labelsIn = (svg: string): Drawn[] =>
  [...svg.matchAll(/<text\b([^>]*aria-roledescription="text mark"[^>]*)>([^<]*)<\/text>/g)].map((m) => {
    const [, x, y] = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(m[1] as string) ?? [];
    return {
      text: m[2] as string,
      x: Number(x),
      y: Number(y),
      anchor: /text-anchor="(\w+)"/.exec(m[1] as string)?.[1],
    };
  });
/** The suggestion markers, by the label their aria-label names. */
const markersIn = (svg: string): Map<string, { x: number; y: number }> =>
  new Map(
    [
      ...svg.matchAll(
        /<path\b[^>]*aria-label="[^"]*Suggestions: ([^";]*)[^"]*"[^>]*aria-roledescription="point"[^>]*>/g,
      ),
    ].map((m) => {
      const [, x, y] = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(m[0]) ?? [];
      return [m[1] as string, { x: Number(x), y: Number(y) }];
    }),
  );
/** A drawn label's box with the estimate the placement uses (all labels share vega's baseline shift). */
const boxOf = (d: Drawn) => labelBox(d.x, d.y, d.anchor === "end" ? "right" : "left", d.text);

describe("plotLrFind label placement", () => {
  // Valley and a validation suggestion at nearly the same point on two curves, the next ones about
  // 5 px apart, and two names on one point: the crowding that made the labels unreadable.
  const crowded = {
    valley: at(50),
    "halfway (valid)": at(51, validLosses),
    halfway: at(52),
    steep: at(53),
    slide: at(53),
  };
  const names = Object.entries(crowded).map(([name, s]) => suggestionLabel(name, s.lr));

  it("draws the labels of nearly coinciding suggestions apart, each once with its value", async () => {
    const svg = await plotLrFind({ lrs, losses, validLosses }, { suggestions: crowded }).toSVG();
    const drawn = labelsIn(svg);
    expect(drawn.map((d) => d.text).sort()).toEqual([...names].sort());
    for (const [i, a] of drawn.entries()) {
      for (const b of drawn.slice(i + 1))
        expect(overlaps(boxOf(a), boxOf(b)), `${a.text} / ${b.text}`).toBe(false);
    }
    // Inside the plot area (x and y of text marks are relative to it).
    for (const d of drawn) {
      const box = boxOf(d);
      expect(box.left).toBeGreaterThanOrEqual(0);
      expect(box.right).toBeLessThanOrEqual(WIDTH);
    }
  });

  it("keeps each marker where it is drawn when its suggestion is plotted alone", async () => {
    const together = markersIn(
      await plotLrFind({ lrs, losses, validLosses }, { suggestions: crowded }).toSVG(),
    );
    expect(together.size).toBe(Object.keys(crowded).length);
    for (const [name, s] of Object.entries(crowded)) {
      const alone = await plotLrFind({ lrs, losses, validLosses }, { suggestions: { [name]: s } }).toSVG();
      const [label, at] = [...markersIn(alone)][0] ?? [];
      expect(together.get(label as string)).toEqual(at);
    }
  });

  it("leaves an isolated label where it always was: 7 px right of its point and 9 px above", async () => {
    const fig = plotLrFind({ lrs, losses }, { suggestions: { valley: at(45), minimum: at(75) } });
    const rows = (fig.spec as unknown as { datasets: { suggestions: object[] } }).datasets.suggestions;
    expect(rows.map((r) => ({ ...r }))).toMatchObject([
      { dx: 7, dy: -9, align: "left" },
      { dx: 7, dy: -9, align: "left" },
    ]);
    const svg = await fig.toSVG();
    const markers = markersIn(svg);
    for (const d of labelsIn(svg)) {
      const m = markers.get(d.text) as { x: number; y: number };
      expect(d.anchor).toBe("start");
      expect(d.x - m.x).toBeCloseTo(7, 9);
      // vega draws a "middle" baseline 3 px below the centre: what the old constant dy: -9 gave too.
      expect(d.y - m.y).toBeCloseTo(-6, 9);
    }
  });

  it("puts a label that would cross the right edge on the left of its point", async () => {
    const edge = at(92);
    const label = suggestionLabel("near the edge", edge.lr);
    const svg = await plotLrFind({ lrs, losses }, { suggestions: { "near the edge": edge } }).toSVG();
    const [d] = labelsIn(svg);
    const m = markersIn(svg).get(label) as { x: number; y: number };
    expect(d?.anchor).toBe("end");
    expect((d?.x ?? 0) - m.x).toBeCloseTo(-7, 9);
    expect(d?.text).toBe(label);
    expect(m.x + 7 + labelWidth(label)).toBeGreaterThan(WIDTH);
    expect(m.x - 7 - labelWidth(label)).toBeGreaterThanOrEqual(0);
  });
});

describe("placeLabels", () => {
  it("moves the second label of one point to the next line below, then the third above", () => {
    const p = { px: 100, py: 100 };
    const placed = placeLabels(
      [
        { ...p, text: "a 1.00e-3" },
        { ...p, text: "b 1.00e-3" },
        { ...p, text: "c 1.00e-3" },
      ],
      WIDTH,
      HEIGHT,
    );
    expect(placed.map((c) => c.dy)).toEqual([-9, -9 + LABEL_LINE, -9 - LABEL_LINE]);
    expect(placed.every((c) => c.dx === 7 && c.align === "left")).toBe(true);
  });

  it("keeps a label of a point at the top of the plot inside it, and clear of another marker", () => {
    expect(placeLabels([{ px: 100, py: 2, text: "top 1.00e-3" }], WIDTH, HEIGHT)).toEqual([
      { dx: 7, dy: -9 + LABEL_LINE, align: "left" },
    ]);
    // A marker 30 px right of a point sits under its label's usual spot.
    const [first] = placeLabels(
      [
        { px: 100, py: 100, text: "valley 1.00e-3" },
        { px: 130, py: 92, text: "x" },
      ],
      WIDTH,
      HEIGHT,
    );
    expect(first?.dy).not.toBe(-9);
  });
});
