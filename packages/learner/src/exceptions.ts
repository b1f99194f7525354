/**
 * Control-flow exceptions a callback throws to cancel part of the loop, and the errors the learner
 * raises. Each `Cancel*Exception` is caught only at its own level: `after_cancel_<level>` and then
 * `after_<level>` still fire, and the loop continues with whatever comes next.
 */

/** Skips the rest of the current batch (then `after_cancel_batch`, `after_batch`). */
export class CancelBatchException extends Error {
  override name = "CancelBatchException";
}
/** Skips the backward pass of the current batch: no gradients, so the step changes nothing. */
export class CancelBackwardException extends Error {
  override name = "CancelBackwardException";
}
/** Skips the optimizer step of the current batch. */
export class CancelStepException extends Error {
  override name = "CancelStepException";
}
/** Skips the rest of the current training phase; validation still runs. */
export class CancelTrainException extends Error {
  override name = "CancelTrainException";
}
/** Skips the rest of the current validation phase. */
export class CancelValidException extends Error {
  override name = "CancelValidException";
}
/** Skips the rest of the current epoch; the next epoch still runs. */
export class CancelEpochException extends Error {
  override name = "CancelEpochException";
}
/** Stops the fit; `after_cancel_fit` and `after_fit` still fire. */
export class CancelFitException extends Error {
  override name = "CancelFitException";
}

/** Any of the cancel exceptions: these pass through callback error wrapping unchanged. */
export type CancelException =
  | CancelBatchException
  | CancelBackwardException
  | CancelStepException
  | CancelTrainException
  | CancelValidException
  | CancelEpochException
  | CancelFitException;

/** True for the cancel exceptions, which are control flow rather than failures. */
export function isCancelException(e: unknown): e is CancelException {
  return (
    e instanceof CancelBatchException ||
    e instanceof CancelBackwardException ||
    e instanceof CancelStepException ||
    e instanceof CancelTrainException ||
    e instanceof CancelValidException ||
    e instanceof CancelEpochException ||
    e instanceof CancelFitException
  );
}

/** A callback or bus listener threw: names the callback and the event; the original error is `cause`. */
export class CallbackError extends Error {
  override name = "CallbackError";
  constructor(
    readonly callback: string,
    readonly event: string,
    override readonly cause: unknown,
  ) {
    const msg = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`exception in callback \`${callback}\` during event \`${event}\`: ${msg}`, { cause });
  }
}

/** Bad use of the Learner (invalid argument, fit while fitting, no recorder, ...); the message names the value. */
export class LearnerError extends Error {
  override name = "LearnerError";
}

/** A checkpoint that cannot be written or does not fit the model/optimizer; nothing was changed. */
export class CheckpointError extends Error {
  override name = "CheckpointError";
}
