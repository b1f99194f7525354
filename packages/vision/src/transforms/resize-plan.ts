/**
 * The geometry of Resize as pure functions of the source size: which size to resize to, and which
 * window to crop or how much to pad. Kept apart from sharp so it can be read and tested on its own.
 *
 * Sizes are [height, width] as in fastai; positions are in pixels of the resized image.
 */

import { TransformArgumentError } from "./errors.js";

/** crop: fill the target and cut the overflow; pad: fit inside and letterbox; squish: ignore the aspect ratio. */
export type ResizeMethod = "crop" | "pad" | "squish";

/** What fills the letterbox bars of method "pad": black, the edge pixels repeated, or a mirror image. */
export type PadMode = "zeros" | "border" | "reflection";

/** Whether the item is for training (random crop) or validation (center crop), and the random source. */
export interface ItemContext {
  training: boolean;
  /** Uniform numbers in [0, 1): pass a seeded generator for reproducible crops. Default Math.random. */
  rng?: () => number;
}

/** One image's resize: sharp resizes to resizeWidth × resizeHeight, then crops or pads to width × height. */
export type ResizePlan =
  | { method: "squish"; width: number; height: number; resizeWidth: number; resizeHeight: number }
  | {
      method: "crop";
      width: number;
      height: number;
      resizeWidth: number;
      resizeHeight: number;
      left: number;
      top: number;
    }
  | {
      method: "pad";
      width: number;
      height: number;
      resizeWidth: number;
      resizeHeight: number;
      left: number;
      top: number;
      right: number;
      bottom: number;
    };

function draw(rng: () => number): number {
  const u = rng();
  if (!(u >= 0 && u < 1))
    throw new TransformArgumentError(`Resize: ctx.rng() must return a number in [0, 1), got ${String(u)}`);
  return u;
}

/**
 * Plans resizing a `srcWidth` × `srcHeight` image to `[height, width]`.
 * crop: scale so the image covers the target (short side → target), then a window at a uniformly
 * random position in training (rng drawn for x, then y) or the centre (rounded down) in validation.
 * pad: scale so the image fits inside, centre it, pad the rest. squish: scale each axis separately.
 */
export function planResize(
  srcWidth: number,
  srcHeight: number,
  [height, width]: readonly [number, number],
  method: ResizeMethod,
  ctx: ItemContext,
): ResizePlan {
  if (method === "squish") return { method, width, height, resizeWidth: width, resizeHeight: height };
  if (method === "crop") {
    const scale = Math.max(width / srcWidth, height / srcHeight);
    const resizeWidth = Math.max(width, Math.round(srcWidth * scale));
    const resizeHeight = Math.max(height, Math.round(srcHeight * scale));
    const spareX = resizeWidth - width;
    const spareY = resizeHeight - height;
    let left = Math.floor(spareX / 2);
    let top = Math.floor(spareY / 2);
    if (ctx.training) {
      const rng = ctx.rng ?? Math.random;
      left = Math.floor(draw(rng) * (spareX + 1));
      top = Math.floor(draw(rng) * (spareY + 1));
    }
    return { method, width, height, resizeWidth, resizeHeight, left, top };
  }
  const scale = Math.min(width / srcWidth, height / srcHeight);
  const resizeWidth = Math.min(width, Math.max(1, Math.round(srcWidth * scale)));
  const resizeHeight = Math.min(height, Math.max(1, Math.round(srcHeight * scale)));
  const left = Math.floor((width - resizeWidth) / 2);
  const top = Math.floor((height - resizeHeight) / 2);
  return {
    method,
    width,
    height,
    resizeWidth,
    resizeHeight,
    left,
    top,
    right: width - resizeWidth - left,
    bottom: height - resizeHeight - top,
  };
}
