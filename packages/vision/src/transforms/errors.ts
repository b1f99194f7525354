/** A file (or buffer) could not be decoded as an image: unreadable, truncated, or not an image. */
export class ImageDecodeError extends Error {
  override name = "ImageDecodeError";
  /** The file path, or "<buffer of N bytes>" for in-memory input. */
  readonly file: string;
  constructor(file: string, detail: string, cause?: unknown) {
    super(`Cannot decode image ${file}: ${detail}`, cause === undefined ? {} : { cause });
    this.file = file;
  }
}

/** Bad arguments to Resize and the other image transforms. */
export class TransformArgumentError extends RangeError {
  override name = "TransformArgumentError";
}
