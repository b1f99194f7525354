/** Bad data-loading arguments (sizes, shapes, options); the message names the argument and its value. */
export class DataError extends Error {
  override name = "DataError";
}

/** An item transform threw, or returned a sample of the wrong size; names the item and keeps the cause. */
export class ItemTransformError extends DataError {
  override name = "ItemTransformError";
  constructor(
    /** Index of the item in the loader's items. */
    readonly index: number,
    /** The item itself. */
    readonly item: unknown,
    reason: string,
    options?: { cause: unknown },
  ) {
    super(`item ${index} (${describeItem(item)}): ${reason}`, options);
  }
}

/** A short printable form of an item: strings as is, plain objects as (truncated) JSON. */
export function describeItem(item: unknown, maxLength = 160): string {
  let text: string;
  if (typeof item === "object" && item !== null && item.toString === Object.prototype.toString) {
    try {
      text = JSON.stringify(item) ?? String(item);
    } catch {
      text = String(item);
    }
  } else {
    text = String(item);
  }
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}
