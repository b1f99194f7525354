import { OptimizerError, show } from "./errors.js";
import type { HyperValue, LrSlice } from "./types.js";

/**
 * Discriminative values over parameter groups, as the reference's `slice`: `lrSlice(stop)` gives
 * `stop/10` to every group but the last, `lrSlice(start, stop)` spaces the groups geometrically.
 */
export function lrSlice(startOrStop: number, stop?: number): LrSlice {
  if (stop === undefined) {
    assertFinite("lrSlice", "stop", startOrStop);
    return { kind: "lrSlice", stop: startOrStop };
  }
  assertFinite("lrSlice", "start", startOrStop);
  assertFinite("lrSlice", "stop", stop);
  return { kind: "lrSlice", start: startOrStop, stop };
}

/** Whether a value is an `LrSlice` (and not a number or an array). */
export function isLrSlice(value: unknown): value is LrSlice {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "lrSlice";
}

/** `n` values from `start` to `stop` with a constant ratio (fastcore's `even_mults`, same arithmetic). */
export function evenMults(start: number, stop: number, n: number): number[] {
  if (n === 1) return [stop];
  const step = (stop / start) ** (1 / (n - 1));
  return Array.from({ length: n }, (_, i) => start * step ** i);
}

/**
 * One value per group for `setHyper(name, value)`: a number or a length-1 array is repeated, an array must
 * have one value per group, an lrSlice is spread. Every value must be finite.
 */
export function spreadHyper(name: string, value: HyperValue, nGroups: number): number[] {
  let values: readonly number[];
  if (isLrSlice(value)) {
    // A falsy start (absent or 0) means "stop/10 for the earlier groups", exactly as the reference.
    values = value.start
      ? evenMults(value.start, value.stop, nGroups)
      : [...Array<number>(nGroups - 1).fill(value.stop / 10), value.stop];
  } else if (typeof value === "number") {
    values = [value];
  } else if (Array.isArray(value)) {
    values = value;
  } else {
    throw new OptimizerError(
      `setHyper(${show(name)}): expected a number, an array or an lrSlice, got ${show(value)}`,
    );
  }
  if (values.length === 1) values = Array<number>(nGroups).fill(values[0] as number);
  if (values.length !== nGroups) {
    throw new OptimizerError(
      `setHyper(${show(name)}): ${values.length} values ${show(values)} for ${nGroups} parameter groups`,
    );
  }
  // Name what the caller gave, or the spread values when an lrSlice produced the bad one.
  const given = isLrSlice(value) ? values : value;
  for (const v of values) assertFinite(`setHyper(${show(name)})`, "value", v, given);
  return [...values];
}

/** Throws an OptimizerError naming `where` and `arg` unless `value` is a finite number. */
export function assertFinite(where: string, arg: string, value: unknown, whole: unknown = value): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new OptimizerError(`${where}: ${arg} must be a finite number, got ${show(whole)}`);
  }
}
