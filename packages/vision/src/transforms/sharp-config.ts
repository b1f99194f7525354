/**
 * sharp's process-wide settings, for a data pipeline. Not applied on import (the package has no
 * side effects); the image data loader or the user calls configureSharp once.
 */
import sharp from "sharp";

/** Options of {@link configureSharp}. */
export interface SharpSettings {
  /** libvips threads per image. 1 suits many images decoded in parallel (the libuv pool does the fan-out). */
  threadsPerImage?: number;
  /** Keep libvips' operation cache. Off by default: a dataset epoch never repeats an operation soon enough to hit it. */
  cache?: boolean;
}

/** Applies `settings` (defaults: 1 thread per image, no cache) and returns the previous ones. */
export function configureSharp(settings: SharpSettings = {}): Required<SharpSettings> {
  const previous = { threadsPerImage: sharp.concurrency(), cache: sharp.cache().items.max > 0 };
  sharp.concurrency(settings.threadsPerImage ?? 1);
  sharp.cache(settings.cache ?? false);
  return previous;
}
