/**
 * Resize(size, { method }): the item transform that decodes and resizes one image (architecture
 * name). The image data loader calls `apply(file, { training, rng })` per item.
 */
import { decodeImage, type ImageInput, type RawImage } from "./decode.js";
import { TransformArgumentError } from "./errors.js";
import {
  type ItemContext,
  type PadMode,
  planResize,
  type ResizeMethod,
  type ResizePlan,
} from "./resize-plan.js";

/** Options of {@link Resize}. */
export interface ResizeOptions {
  /** Default "crop" (random window in training, centre in validation). */
  method?: ResizeMethod;
  /** Fill of the bars for method "pad". Default "zeros" (black). */
  padMode?: PadMode;
}

/** The transform Resize returns. */
export interface ResizeTransform {
  readonly name: "Resize";
  /** [height, width] of every output image. */
  readonly size: readonly [number, number];
  readonly method: ResizeMethod;
  readonly padMode: PadMode;
  /** The geometry for one source size (pure; draws from ctx.rng for a training crop). */
  plan(srcWidth: number, srcHeight: number, ctx: ItemContext): ResizePlan;
  /** Decodes `input` and resizes it to `size`: raw RGB bytes, height × width × 3. */
  apply(input: ImageInput, ctx?: ItemContext): Promise<RawImage>;
}

const METHODS: readonly ResizeMethod[] = ["crop", "pad", "squish"];
const PAD_MODES: readonly PadMode[] = ["zeros", "border", "reflection"];

function toSize(size: unknown): readonly [number, number] {
  const ok = (n: unknown): n is number => Number.isInteger(n) && (n as number) > 0;
  if (ok(size)) return Object.freeze([size, size] as const);
  if (Array.isArray(size) && size.length === 2 && ok(size[0]) && ok(size[1])) {
    return Object.freeze([size[0], size[1]] as const);
  }
  throw new TransformArgumentError(
    `Resize: size must be a positive integer or [height, width] of positive integers, got ${JSON.stringify(size)}`,
  );
}

/**
 * An item transform resizing every image to `size` (a number for a square, or [height, width]).
 * method "crop" (default): short side to size, then a random window in training / the centre in
 * validation; "pad": fit inside and letterbox with `padMode` (default black); "squish": stretch.
 */
export function Resize(size: number | readonly [number, number], opts: ResizeOptions = {}): ResizeTransform {
  const target = toSize(size);
  const method = opts.method ?? "crop";
  const padMode = opts.padMode ?? "zeros";
  if (!METHODS.includes(method)) {
    throw new TransformArgumentError(
      `Resize: method must be one of ${METHODS.join(", ")}, got ${JSON.stringify(method)}`,
    );
  }
  if (!PAD_MODES.includes(padMode)) {
    throw new TransformArgumentError(
      `Resize: padMode must be one of ${PAD_MODES.join(", ")}, got ${JSON.stringify(padMode)}`,
    );
  }
  return Object.freeze({
    name: "Resize" as const,
    size: target,
    method,
    padMode,
    plan: (srcWidth: number, srcHeight: number, ctx: ItemContext) =>
      planResize(srcWidth, srcHeight, target, method, ctx),
    apply: (input: ImageInput, ctx: ItemContext = { training: false }) =>
      decodeImage(input, { size: target, method, padMode, ctx }),
  });
}
