/** Bad input to an optimizer (a hyper-parameter, a gradient, a state dict, a parameter group). */
export class OptimizerError extends Error {
  override readonly name = "OptimizerError";
}

/** Formats a value for an error message: numbers and arrays as written, strings quoted, others by kind. */
export function show(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object" && value !== null) return `an object (${Object.keys(value).join(", ")})`;
  return String(value);
}
