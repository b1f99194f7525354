import { HEIGHT, LINE_COLOR, requireArray, requireCount, WIDTH } from "./check.js";
import { PlotError } from "./errors.js";
import { makeFigure } from "./figure.js";
import type { Figure, RecorderLike, VegaLiteSpec } from "./types.js";

/** Options of `plotLoss`. */
export interface PlotLossOptions {
  /** Leading training batches left out (default 5). */
  skipStart?: number | undefined;
  /** Also plot the validation loss at the end of each epoch (default true). */
  withValid?: boolean | undefined;
  title?: string | undefined;
}

/**
 * Column of the validation loss in `recorder.values`: `metricNames` lists "epoch" first but the
 * rows start at "train_loss" (as the reference), so the index shifts by one. −1 when absent.
 */
export function validColumn(metricNames: readonly string[] | undefined): number {
  if (!Array.isArray(metricNames)) return -1;
  const i = metricNames.findIndex((n) => n === "valid_loss" || n === "validLoss");
  if (i < 0) return -1;
  return metricNames[0] === "epoch" ? i - 1 : i;
}

/**
 * Training loss `losses[skipStart:]` against the iteration, plus the validation loss at `iters[k]`
 * (for `iters[k] >= skipStart`). Datasets `train` and `valid` are in `spec.datasets`. Without a
 * validation column (e.g. after an LR-finder run) only the training curve is drawn.
 */
export function plotLoss(recorder: RecorderLike, options: PlotLossOptions = {}): Figure {
  const { skipStart = 5, withValid = true } = options;
  requireCount(skipStart, "skipStart", "plotLoss");
  const losses = requireArray(recorder?.losses, "recorder.losses", "plotLoss");
  if (losses.length <= skipStart) {
    throw new PlotError(
      `plotLoss: recorder.losses has ${losses.length} entries and skipStart=${skipStart} skips them all`,
    );
  }
  const train = losses.flatMap((loss, iteration) =>
    iteration >= skipStart && Number.isFinite(loss) ? [{ iteration, loss, set: "train" }] : [],
  );
  const valid: { iteration: number; loss: number; set: string }[] = [];
  const col = validColumn(recorder.metricNames);
  if (withValid && col >= 0 && Array.isArray(recorder.values) && Array.isArray(recorder.iters)) {
    recorder.iters.forEach((iteration, k) => {
      const loss = recorder.values?.[k]?.[col];
      if (iteration >= skipStart && typeof loss === "number" && Number.isFinite(loss)) {
        valid.push({ iteration, loss, set: "valid" });
      }
    });
  }
  const x = { field: "iteration", type: "quantitative", title: "Iteration" };
  const y = { field: "loss", type: "quantitative", title: "Loss", scale: { zero: false } };
  const color = {
    field: "set",
    type: "nominal",
    title: null,
    scale: { domain: ["train", "valid"], range: [LINE_COLOR, "#f58518"] },
  };
  const layer: unknown[] = [{ data: { name: "train" }, mark: { type: "line" }, encoding: { x, y, color } }];
  if (valid.length > 0) {
    layer.push({
      data: { name: "valid" },
      mark: { type: "line", point: { filled: true, size: 50 } },
      encoding: { x, y, color },
    });
  }
  const spec = {
    title: options.title ?? "Loss",
    width: WIDTH,
    height: HEIGHT,
    datasets: { train, valid },
    layer,
  } as VegaLiteSpec;
  return makeFigure(spec);
}
