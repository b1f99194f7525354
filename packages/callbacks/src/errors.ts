/** A ParamScheduler was given schedules it cannot apply; the message names the hyper and the value. */
export class ParamSchedulerError extends Error {
  override name = "ParamSchedulerError";
}

/** A tracker (SaveModel, …) was misconfigured; the message names the option and the value. */
export class TrackerError extends Error {
  override name = "TrackerError";
}

/** A short rendering of a value for error messages (strings quoted, functions named). */
export function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "function") return `a function${v.name ? ` (${v.name})` : ""}`;
  if (typeof v === "number" || typeof v === "boolean" || v === undefined || v === null) return String(v);
  if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
  try {
    const text = JSON.stringify(v) ?? String(v);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(v);
  }
}
