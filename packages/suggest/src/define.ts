import { firstNonFinite } from "./curve.js";
import { SuggestError } from "./errors.js";
import type { SuggestFunc, Suggestion } from "./types.js";

/** How a suggestion function's input is checked before its algorithm runs. */
export interface SuggestFuncOptions {
  /** Finite points needed after the cut at the first non-finite loss (default 2). */
  minPoints?: number;
  /** Require strictly increasing lrs (for algorithms that difference or interpolate in log-LR). */
  increasingLrs?: boolean;
}

/** Names that JS objects would reorder ("0", "12") cannot keep suggestFuncs order as object keys. */
const INDEX_LIKE = /^(0|[1-9]\d*)$/;

/** Throws unless `name` can key an ordered result object. */
export function checkFuncName(name: string, where: string): void {
  if (typeof name !== "string" || name.length === 0) {
    throw new SuggestError(
      `${where}: a suggestion function needs a non-empty name; got ${JSON.stringify(name)}`,
    );
  }
  if (INDEX_LIKE.test(name)) {
    throw new SuggestError(
      `${where}: suggestion function name "${name}" looks like an array index; use letters`,
    );
  }
}

/**
 * Wraps an algorithm on a clean curve into a `SuggestFunc` with a stable `name`: it checks the arrays,
 * cuts both at the first non-finite loss (as lrFind does) and throws `SuggestError` on bad input.
 */
export function suggestFunc(
  name: string,
  algorithm: (lrs: number[], losses: number[]) => Suggestion,
  options: SuggestFuncOptions = {},
): SuggestFunc {
  checkFuncName(name, "suggestFunc");
  const minPoints = options.minPoints ?? 2;
  if (!Number.isInteger(minPoints) || minPoints < 1) {
    throw new SuggestError(`suggestFunc: minPoints must be an integer >= 1; got ${minPoints}`);
  }
  const fn = (lrs: number[], losses: number[], _numIt: number): Suggestion => {
    if (!Array.isArray(lrs) || !Array.isArray(losses)) {
      throw new SuggestError(`${name}: lrs and losses must be arrays of numbers`);
    }
    if (lrs.length !== losses.length) {
      throw new SuggestError(
        `${name}: lrs and losses must have the same length; got lrs.length=${lrs.length}, losses.length=${losses.length}`,
      );
    }
    const n = firstNonFinite(losses);
    for (let i = 0; i < n; i++) {
      const lr = lrs[i] as number;
      if (!(Number.isFinite(lr) && lr > 0)) {
        throw new SuggestError(`${name}: lrs[${i}] must be a finite number > 0; got ${lr}`);
      }
      if (options.increasingLrs && i > 0 && !(lr > (lrs[i - 1] as number))) {
        throw new SuggestError(
          `${name}: lrs must be strictly increasing; got lrs[${i - 1}]=${lrs[i - 1]}, lrs[${i}]=${lr}`,
        );
      }
    }
    if (n < minPoints) {
      const cut = n < losses.length ? ` before the first non-finite loss (losses[${n}]=${losses[n]})` : "";
      throw new SuggestError(`${name}: needs at least ${minPoints} points${cut}; got ${n}`);
    }
    return algorithm(lrs.slice(0, n), losses.slice(0, n));
  };
  Object.defineProperty(fn, "name", { value: name });
  Object.defineProperty(fn, "minPoints", { value: minPoints, enumerable: true });
  return fn as SuggestFunc;
}
