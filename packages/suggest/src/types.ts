/** What a suggestion function returns: the suggested LR and the point to mark on the LR-finder plot. */
export interface Suggestion {
  lr: number;
  point: [number, number];
}

/**
 * A suggestion function: `(lrs, losses, numIt) => { lr, point }`. Its `name` keys the results of the
 * analysis; `minPoints` (default 2) is how many finite points it needs.
 */
export interface SuggestFunc {
  (lrs: number[], losses: number[], numIt: number): Suggestion;
  readonly name: string;
  readonly minPoints?: number;
}
