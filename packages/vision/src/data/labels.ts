/**
 * Labels and the vocabulary: the sorted distinct labels (fastai's CategoryMap), each label's index
 * in it being the class a loader yields.
 */
import { DataError } from "@sched/learner";

/** What a label function may return. */
export type Label = string | number | boolean;

/** Sorts numbers numerically, booleans false first, strings by UTF-16 code units (no locale). */
function compare(a: Label, b: Label): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The vocabulary of `labels`: distinct values, sorted; all of one type. */
export function makeVocab(labels: readonly Label[]): Label[] {
  const types = new Set(labels.map((l) => typeof l));
  if (types.size > 1) {
    throw new DataError(`labelFunc must return labels of one type, got ${[...types].sort().join(" and ")}`);
  }
  return [...new Set(labels)].sort(compare);
}

/** Applies `labelFunc` to every file (through `key`), checking each result. */
export function labelFiles(
  files: readonly string[],
  labelFunc: (key: string) => unknown,
  key: (file: string) => string,
): Label[] {
  return files.map((file) => {
    let label: unknown;
    try {
      label = labelFunc(key(file));
    } catch (e) {
      throw new DataError(`labelFunc threw on ${file}: ${(e as Error).message}`, { cause: e });
    }
    const ok =
      typeof label === "string" ||
      typeof label === "boolean" ||
      (typeof label === "number" && Number.isFinite(label));
    if (!ok) {
      throw new DataError(
        `labelFunc must return a string, a finite number or a boolean; got ${String(label)} for ${file}`,
      );
    }
    return label as Label;
  });
}
