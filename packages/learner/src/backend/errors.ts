/** Base class of the errors `initBackend` throws, so callers can catch both with one `instanceof`. */
export class BackendError extends Error {
  override readonly name: string = "BackendError";
}

/** The requested backend name is not one of `tensorflow`, `wasm`, `cpu` (or `auto`). */
export class UnknownBackendError extends BackendError {
  override readonly name = "UnknownBackendError";
  constructor(
    /** Where the name came from: the `prefer` argument or the `SCHED_TF_BACKEND` variable. */
    readonly source: string,
    /** The name as given. */
    readonly value: string,
    known: readonly string[],
  ) {
    super(
      `${source} = ${JSON.stringify(value)} is not a backend; expected one of ${known.join(", ")} or auto`,
    );
  }
}

/** A backend that was asked for by name (or every backend, in auto mode) could not be initialised. */
export class BackendUnavailableError extends BackendError {
  override readonly name = "BackendUnavailableError";
  constructor(
    /** The backend that failed. */
    readonly backend: string,
    /** Where the request came from: the `prefer` argument, `SCHED_TF_BACKEND`, or `auto`. */
    readonly source: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`backend ${JSON.stringify(backend)} (${source}) could not be initialised: ${reason}`, options);
  }
}

/** The first line of an error's message, capped: native loaders tend to append pages of advice. */
export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = (text.split("\n").find((l) => l.trim() !== "") ?? text).trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
