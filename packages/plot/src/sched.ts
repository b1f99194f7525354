import { HEIGHT, requireArray } from "./check.js";
import { PlotError } from "./errors.js";
import { makeFigure } from "./figure.js";
import type { Figure, RecorderLike, VegaLiteSpec } from "./types.js";

/** Options of `plotSched`. */
export interface PlotSchedOptions {
  /** Hyper-parameters to show, in order (default: every key of `recorder.hps`). */
  keys?: readonly string[] | undefined;
  title?: string | undefined;
}

/** Small values (LRs of 1e-5) read better as "8e-6" than as "0.000008". */
function valueAxis(rows: readonly { value: number }[] = []): Record<string, unknown> {
  const top = Math.max(0, ...rows.map((r) => Math.abs(r.value)));
  if (top === 0 || top >= 1e-3) return { format: "~g" };
  return { labelExpr: "datum.value === 0 ? '0' : replace(format(datum.value, '.2~e'), 'e+', 'e')" };
}

/**
 * One panel per scheduled hyper-parameter against the batch index, two panels per row. Reads
 * `recorder.hps`; data sets are named `hp:<key>` in `spec.datasets`.
 */
export function plotSched(recorder: RecorderLike, options: PlotSchedOptions = {}): Figure {
  const hps = recorder?.hps;
  const available = hps && typeof hps === "object" ? Object.keys(hps) : [];
  if (available.length === 0) {
    throw new PlotError(
      "plotSched: recorder.hps is missing or empty; fit with a ParamScheduler or pass { hps: { lr: [...] } }",
    );
  }
  const keys = options.keys ?? available;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new PlotError(`plotSched: keys must be a non-empty array of names from [${available.join(", ")}]`);
  }
  const datasets: Record<string, { batch: number; value: number }[]> = {};
  for (const key of keys) {
    if (!available.includes(key)) {
      throw new PlotError(`plotSched: unknown key "${key}"; recorder.hps has [${available.join(", ")}]`);
    }
    const values = requireArray((hps as Record<string, unknown>)[key], `recorder.hps.${key}`, "plotSched");
    datasets[`hp:${key}`] = values.flatMap((value, batch) =>
      Number.isFinite(value) ? [{ batch, value }] : [],
    );
  }
  const columns = Math.min(2, keys.length);
  const spec = {
    title: options.title ?? "Schedule",
    datasets,
    columns,
    concat: keys.map((key) => ({
      width: columns === 1 ? 480 : 320,
      height: Math.round(HEIGHT * 0.7),
      data: { name: `hp:${key}` },
      mark: { type: "line" },
      encoding: {
        x: { field: "batch", type: "quantitative", title: "Batch" },
        y: {
          field: "value",
          type: "quantitative",
          title: key,
          scale: { zero: false },
          axis: valueAxis(datasets[`hp:${key}`]),
        },
      },
    })),
  } as VegaLiteSpec;
  return makeFigure(spec);
}
