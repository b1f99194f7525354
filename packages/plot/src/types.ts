import type { TopLevelSpec } from "vega-lite";

/** A Vega-Lite specification (the `spec` of every figure). */
export type VegaLiteSpec = TopLevelSpec;

/**
 * What the plots read from a recorder, structurally (a `@sched/learner` Recorder fits, and so does
 * plain data such as a schedule preview `{ hps: { lr: [...] } }`). Each plot checks only its fields.
 */
export interface RecorderLike {
  /** LR of the last parameter group, per training batch. */
  readonly lrs?: readonly number[];
  /** Smoothed training loss, per training batch. */
  readonly losses?: readonly number[];
  /** Smoothed validation loss per LR-finder iteration (`lrFind` with `validBatches`); `plotLrFind` draws it too. */
  readonly validLosses?: readonly number[];
  /** One row per finished epoch: `metricNames` without "epoch" and "time". */
  readonly values?: readonly (readonly number[])[];
  /** Cumulative training batches at the end of each epoch. */
  readonly iters?: readonly number[];
  /** Scheduled hyper-parameters, per training batch. */
  readonly hps?: Readonly<Record<string, readonly number[]>>;
  /** Column names as the reference: ["epoch", "train_loss", "valid_loss", ...metrics, "time"]. */
  readonly metricNames?: readonly string[];
}

/** A suggestion to mark on the LR-finder plot, as `@sched/suggest`'s analysis returns it. */
export interface SuggestionMark {
  readonly lr: number;
  readonly point: readonly [number, number];
}

/** A rendered-on-demand figure: its Vega-Lite spec, its SVG, and a file writer. */
export interface Figure {
  readonly spec: VegaLiteSpec;
  /** Renders the spec to an SVG string (vega in Node, no browser). */
  toSVG(): Promise<string>;
  /** Writes `.png`, `.svg` or a self-contained `.html`/`.htm` page, chosen by the extension. */
  save(path: string, options?: SaveOptions): Promise<void>;
}

/** Options of `Figure.save`. */
export interface SaveOptions {
  /** PNG pixels per SVG unit (default 2, sharp on high-density screens). */
  scale?: number | undefined;
}
