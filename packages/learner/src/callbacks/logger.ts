import type { Callback } from "../callback.js";
import type { Learner } from "../learner.js";

/** Prints one row of the epoch table (the header, then one row per epoch); cells are already formatted. */
export type Logger = (cells: readonly string[]) => void;

/** The default logger: fixed-width columns on stdout. */
export const printRow: Logger = (cells) => {
  console.log(
    cells
      .map((c) => c.padEnd(Math.max(12, c.length + 2)))
      .join("")
      .trimEnd(),
  );
};

/** How a value of the epoch table is shown: integers as is, other numbers with 6 decimals. */
export function formatCell(v: number | string): string {
  if (typeof v === "string") return v;
  return Number.isInteger(v) ? String(v) : v.toFixed(6);
}

/**
 * Prints the epoch table through `learn.logger` (order 51, after the Recorder has closed the row):
 * the header (`recorder.metricNames`) in `before_fit`, then `recorder.log` after each epoch.
 * `learn.noLogging(fn)` silences it by swapping `learn.logger`.
 */
export class EpochLogger implements Callback {
  readonly name = "EpochLogger";
  readonly order = 51;

  before_fit(learn: Learner): void {
    const names = learn.recorder?.metricNames;
    if (names?.length) learn.logger(names);
  }

  after_epoch(learn: Learner): void {
    const log = learn.recorder?.log;
    if (log?.length) learn.logger(log.map(formatCell));
  }
}
