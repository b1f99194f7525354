import { PlotError } from "./errors.js";

/** Throws unless `value` is an array (of numbers, checked where used); names the argument. */
export function requireArray(value: unknown, what: string, where: string): readonly number[] {
  if (!Array.isArray(value)) {
    throw new PlotError(
      `${where}: ${what} must be an array of numbers; got ${value === undefined ? "nothing" : typeof value}`,
    );
  }
  return value as readonly number[];
}

/** Throws unless `value` is an integer >= 0. */
export function requireCount(value: number, what: string, where: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new PlotError(`${where}: ${what} must be an integer >= 0; got ${value}`);
  }
}

/** Default chart size, in SVG units. */
export const WIDTH = 480;
export const HEIGHT = 300;
/** Line colour of the curves; suggestion markers use the palette after it (as the reference skips it). */
export const LINE_COLOR = "#4c78a8";
export const MARK_COLORS = ["#f58518", "#e45756", "#54a24b", "#b279a2", "#eeca3b", "#72b7b2", "#9d755d"];
