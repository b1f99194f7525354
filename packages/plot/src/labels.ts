import { scale as vegaScale } from "vega";

/** Font size of the suggestion labels: the text layer and the placement must agree on it. */
export const LABEL_FONT_SIZE = 11;
/** Height of one label line: the step by which a crowded label moves up or down. */
export const LABEL_LINE = 14;
/** Glyphs far narrower or wider than a digit: one width for all would misjudge "minimum" or "lr_find". */
const NARROW = new Set(" .,:;!|'()[]-_ijlrtf");
const WIDE = new Set("mwMW");
/** The label's anchor from its marker: right of and above the point, where labels always sat. */
const GAP_X = 7;
const GAP_Y = -9;
/** Half the size of a marker (a 90 px² circle and its white outline), kept clear of other labels. */
const MARKER_RADIUS = 6;

/** Where a label is drawn, relative to its marker: a pixel offset and the side its text runs to. */
export interface LabelPlacement {
  readonly dx: number;
  readonly dy: number;
  readonly align: "left" | "right";
}

/** An axis-aligned box in pixels, y growing downwards as in SVG. */
export interface Box {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/**
 * Estimated width of a bold label, from the characters (ems fitted to DejaVu Sans Bold, the widest
 * usual sans-serif): measuring would need the fonts of each output, and the spec is plain data.
 */
export function labelWidth(text: string): number {
  let em = 0;
  for (const ch of text) em += NARROW.has(ch) ? 0.42 : WIDE.has(ch) ? 1 : 0.66;
  return em * LABEL_FONT_SIZE;
}

/** The box of a label whose text starts (`left`) or ends (`right`) at `x`, centred on `y`. */
export function labelBox(x: number, y: number, align: "left" | "right", text: string): Box {
  const width = labelWidth(text);
  const left = align === "left" ? x : x - width;
  return { left, right: left + width, top: y - LABEL_LINE / 2, bottom: y + LABEL_LINE / 2 };
}

/** Overlap below half a pixel is rounding: labels on adjacent lines of near-equal points touch. */
const SLACK = 0.5;

/** True when two boxes share more than a sliver of area (touching edges do not count). */
export function overlaps(a: Box, b: Box): boolean {
  const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  const down = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  return across > SLACK && down > SLACK;
}

/**
 * Maps data to pixels as vega-lite's default x (log) and y (linear, no zero) scales will: the same
 * "nice" rounding of the extent of everything plotted, so the placement sees what is drawn.
 */
export function pixelScale(
  type: "log" | "linear",
  values: readonly number[],
  range: readonly [number, number],
): (v: number) => number {
  // A loop, not Math.min(...values): a long recording would overflow the argument list.
  const lo = values.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  const hi = values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  const s = vegaScale(type)().domain([lo, hi]).nice().range(range);
  return (v) => s(v) as number;
}

/** A labelled marker, in pixels. */
export interface LabelledPoint {
  readonly px: number;
  readonly py: number;
  readonly text: string;
}

/** The candidate offsets of a label, best first: its own line, then the next lines below and above. */
function candidates(p: LabelledPoint, width: number, height: number): LabelPlacement[] {
  const rightFits = p.px + GAP_X + labelWidth(p.text) <= width;
  const sides = rightFits ? (["left", "right"] as const) : (["right", "left"] as const);
  const lines = [0];
  for (let k = 1; k * LABEL_LINE <= height; k++) lines.push(k, -k);
  return sides.flatMap((align) =>
    lines.map((k) => ({ dx: align === "left" ? GAP_X : -GAP_X, dy: GAP_Y + k * LABEL_LINE, align })),
  );
}

/**
 * Places labels greedily in order of x (then of input): each takes its first candidate that lies in
 * the `width` × `height` plot and clears every marker and every label placed before it; failing
 * that, the first one clear of them anywhere; failing that, its usual spot. Returns input order.
 */
export function placeLabels(
  points: readonly LabelledPoint[],
  width: number,
  height: number,
): LabelPlacement[] {
  const markers = points.map((p) => ({
    left: p.px - MARKER_RADIUS,
    right: p.px + MARKER_RADIUS,
    top: p.py - MARKER_RADIUS,
    bottom: p.py + MARKER_RADIUS,
  }));
  const taken: Box[] = [...markers];
  const placed: LabelPlacement[] = new Array(points.length);
  const order = points.map((p, i) => ({ p, i })).sort((a, b) => a.p.px - b.p.px || a.i - b.i);
  for (const { p, i } of order) {
    const options = candidates(p, width, height).map((c) => ({
      c,
      box: labelBox(p.px + c.dx, p.py + c.dy, c.align, p.text),
    }));
    const free = options.filter((o) => !taken.some((t) => overlaps(o.box, t)));
    const inside = free.find(
      (o) => o.box.left >= 0 && o.box.right <= width && o.box.top >= 0 && o.box.bottom <= height,
    );
    const chosen = inside ?? free[0] ?? (options[0] as (typeof options)[number]);
    placed[i] = chosen.c;
    taken.push(chosen.box);
  }
  return placed;
}
