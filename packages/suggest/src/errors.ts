/** Bad input to a suggestion function, the analysis or the repeats aggregation; the message names the argument. */
export class SuggestError extends Error {
  override readonly name = "SuggestError";
}

/** Why an LR-finder run cannot give suggestions: it diverged, was stopped, or was too short. */
export type LrFindFailure = "diverged" | "stopped" | "too-short";

/** An LR-finder run left too few usable points; `reason` says which fix applies. */
export class LrFindError extends Error {
  override readonly name = "LrFindError";
  /** "diverged" → lower startLr; "stopped" → let the run finish; "too-short" → raise numIt. */
  readonly reason: LrFindFailure;
  /** Usable points left after trimming and the cut at the first non-finite loss. */
  readonly points: number;
  /** Points the suggestion functions need. */
  readonly needed: number;

  constructor(message: string, details: { reason: LrFindFailure; points: number; needed: number }) {
    super(message);
    this.reason = details.reason;
    this.points = details.points;
    this.needed = details.needed;
  }
}
