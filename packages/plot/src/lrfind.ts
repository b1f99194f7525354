import { HEIGHT, LINE_COLOR, MARK_COLORS, requireArray, requireCount, WIDTH } from "./check.js";
import { PlotError } from "./errors.js";
import { makeFigure } from "./figure.js";
import { LABEL_FONT_SIZE, type LabelPlacement, pixelScale, placeLabels } from "./labels.js";
import type { Figure, RecorderLike, SuggestionMark, VegaLiteSpec } from "./types.js";

/** Options of `plotLrFind`. */
export interface PlotLrFindOptions {
  /** Trailing iterations left out (default 5; 0 keeps all). */
  skipEnd?: number | undefined;
  /** Suggestions keyed by function name, e.g. `analyzeLrFind(...).suggestions` from `@sched/suggest`. */
  suggestions?: Readonly<Record<string, SuggestionMark>> | undefined;
  title?: string | undefined;
}

/** "valley 3.02e-3": the name and the suggested LR with three significant digits. */
export function suggestionLabel(name: string, lr: number): string {
  return `${name} ${lr.toExponential(2).replace("e+", "e")}`;
}

/**
 * Log-LR axis labelled like "1e-4": ticks and grid lines on the powers of ten when the curve spans
 * two decades or more (vega would add unlabelled 2..9 ticks), vega's own ticks otherwise.
 */
function lrAxis(curve: readonly { lr: number }[]): Record<string, unknown> {
  const lo = Math.floor(Math.log10(Math.min(...curve.map((p) => p.lr))));
  const hi = Math.ceil(Math.log10(Math.max(...curve.map((p) => p.lr))));
  const axis: Record<string, unknown> = { labelExpr: "replace(format(datum.value, '.2~e'), 'e+', 'e')" };
  if (hi - lo >= 2) axis.values = Array.from({ length: hi - lo + 1 }, (_, k) => 10 ** (lo + k));
  return axis;
}

/** Colour of the validation line: the one `plotLoss` uses for it (suggestion markers then skip it). */
const VALID_COLOR = "#f58518";

/** `values[:-skipEnd]` against `lrs`, without points whose loss is non-finite or whose LR is not > 0. */
function points(
  lrs: readonly number[],
  values: readonly number[],
  skipEnd: number,
): { lr: number; loss: number }[] {
  return lrs.slice(0, Math.max(0, lrs.length - skipEnd)).flatMap((lr, i) => {
    const loss = values[i] as number;
    return Number.isFinite(lr) && lr > 0 && Number.isFinite(loss) ? [{ lr, loss }] : [];
  });
}

/**
 * Adds to each suggestion the offset of its label from its marker (`dx`, `dy` in pixels, `align`),
 * chosen so that labels stay apart and inside the plot: close suggestions would overprint otherwise.
 */
function labelsApart<T extends { x: number; y: number; label: string }>(
  marks: readonly T[],
  lines: readonly { lr: number; loss: number }[],
): (T & LabelPlacement)[] {
  const px = pixelScale("log", [...lines.map((p) => p.lr), ...marks.map((m) => m.x)], [0, WIDTH]);
  const py = pixelScale("linear", [...lines.map((p) => p.loss), ...marks.map((m) => m.y)], [HEIGHT, 0]);
  const placed = placeLabels(
    marks.map((m) => ({ px: px(m.x), py: py(m.y), text: m.label })),
    WIDTH,
    HEIGHT,
  );
  return marks.map((m, i) => ({ ...m, ...(placed[i] as LabelPlacement) }));
}

/**
 * The LR-finder curve `losses[:-skipEnd]` against `lrs[:-skipEnd]` on a log LR axis, with each
 * suggestion marked at its point and labelled with its name and LR (labels of close points set
 * apart, see `labelsApart`). Datasets `curve` and `suggestions` are in `spec.datasets`; points with
 * a non-finite loss or LR <= 0 are left out.
 * When `recorder.validLosses` is given (an `lrFind` curve with `validBatches`), it is drawn as a
 * second line by the same rule (dataset `valid`), and a legend tells "train" from "valid".
 */
export function plotLrFind(recorder: RecorderLike, options: PlotLrFindOptions = {}): Figure {
  const { skipEnd = 5, suggestions = {} } = options;
  requireCount(skipEnd, "skipEnd", "plotLrFind");
  const lrs = requireArray(recorder?.lrs, "recorder.lrs", "plotLrFind");
  const losses = requireArray(recorder.losses, "recorder.losses", "plotLrFind");
  if (lrs.length !== losses.length) {
    throw new PlotError(
      `plotLrFind: recorder.lrs and recorder.losses must have the same length; got ${lrs.length} and ${losses.length}`,
    );
  }
  const validLosses = recorder.validLosses;
  if (validLosses !== undefined) {
    requireArray(validLosses, "recorder.validLosses", "plotLrFind");
    if (validLosses.length !== lrs.length) {
      throw new PlotError(
        `plotLrFind: recorder.validLosses must have the length of recorder.lrs; got ${validLosses.length} and ${lrs.length}`,
      );
    }
  }
  const curve = points(lrs, losses, skipEnd);
  if (curve.length === 0) {
    throw new PlotError(
      `plotLrFind: no point to plot: ${lrs.length} recorded, skipEnd=${skipEnd}, none with a finite loss and LR > 0`,
    );
  }
  if (suggestions === null || typeof suggestions !== "object" || Array.isArray(suggestions)) {
    throw new PlotError("plotLrFind: suggestions must be an object { [name]: { lr, point: [lr, loss] } }");
  }
  const withValid = validLosses !== undefined;
  const palette = withValid ? MARK_COLORS.filter((c) => c !== VALID_COLOR) : MARK_COLORS;
  const labelled = Object.entries(suggestions).map(([name, s]) => {
    const [x, y] = Array.isArray(s?.point) ? s.point : [Number.NaN, Number.NaN];
    if (!(Number.isFinite(s?.lr) && Number.isFinite(x) && x > 0 && Number.isFinite(y))) {
      throw new PlotError(
        `plotLrFind: suggestions.${name} must be { lr, point: [lr, loss] } with finite numbers and lr > 0; got ${JSON.stringify(s)}`,
      );
    }
    return { name, lr: s.lr, x, y, label: suggestionLabel(name, s.lr) };
  });
  const valid = withValid ? points(lrs, validLosses, skipEnd) : [];
  const marks = labelsApart(labelled, [...curve, ...valid]);
  const x = {
    field: "lr",
    type: "quantitative",
    title: "Learning Rate",
    scale: { type: "log" },
    axis: lrAxis(curve),
  };
  const y = { field: "loss", type: "quantitative", title: "Loss", scale: { zero: false } };
  const markX = { ...x, field: "x" };
  const markY = { ...y, field: "y" };
  const color = {
    field: "label",
    type: "nominal",
    title: "Suggestions",
    scale: { domain: marks.map((m) => m.label), range: palette },
    // Labels carry the value ("halfway (valid) 2.61e-2"): the default 160 px limit cut them.
    legend: { symbolType: "circle", labelLimit: 320 },
  };
  // With a validation line, two datasets and one legend: each line's colour is a constant of one shared scale.
  const set = (name: string) => ({
    datum: name,
    type: "nominal",
    title: null,
    scale: { domain: ["train", "valid"], range: [LINE_COLOR, VALID_COLOR] },
  });
  const lines: unknown[] = withValid
    ? [
        { data: { name: "curve" }, mark: { type: "line" }, encoding: { x, y, color: set("train") } },
        { data: { name: "valid" }, mark: { type: "line" }, encoding: { x, y, color: set("valid") } },
      ]
    : [{ data: { name: "curve" }, mark: { type: "line", color: LINE_COLOR }, encoding: { x, y } }];
  const markLayers: unknown[] = [];
  if (marks.length > 0) {
    markLayers.push(
      {
        data: { name: "suggestions" },
        mark: { type: "point", filled: true, size: 90, opacity: 1, stroke: "white", strokeWidth: 1 },
        encoding: { x: markX, y: markY, color },
      },
      {
        data: { name: "suggestions" },
        // Each label's offset and side come from its row (see labelsApart).
        mark: {
          type: "text",
          align: { expr: "datum.align" },
          dx: { expr: "datum.dx" },
          dy: { expr: "datum.dy" },
          fontSize: LABEL_FONT_SIZE,
          fontWeight: "bold",
        },
        encoding: { x: markX, y: markY, text: { field: "label" }, color },
      },
    );
  }
  const common = { title: options.title ?? "LR finder", width: WIDTH, height: HEIGHT };
  const spec = (
    withValid
      ? {
          ...common,
          datasets: { curve, valid, suggestions: marks },
          // The lines' colours and the markers' are two scales, each with its own legend.
          layer: [{ layer: lines }, ...(markLayers.length > 0 ? [{ layer: markLayers }] : [])],
          resolve: { scale: { color: "independent" }, legend: { color: "independent" } },
        }
      : { ...common, datasets: { curve, suggestions: marks }, layer: [...lines, ...markLayers] }
  ) as VegaLiteSpec;
  return makeFigure(spec);
}
