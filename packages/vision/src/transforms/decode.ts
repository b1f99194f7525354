/**
 * Decoding with sharp: any format libvips reads, EXIF orientation applied, alpha dropped, greyscale
 * and CMYK turned into sRGB, 8 bits per channel, raw interleaved RGB (HWC) out. One sharp pipeline
 * per image: the header is read for the size, then decode + resize + crop/pad run in one pass.
 */
import sharp, { type Sharp } from "sharp";
import { ImageDecodeError, TransformArgumentError } from "./errors.js";
import {
  type ItemContext,
  type PadMode,
  planResize,
  type ResizeMethod,
  type ResizePlan,
} from "./resize-plan.js";

/** A decoded image: `data` is height × width × 3 bytes, row-major, RGB interleaved. */
export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
}

/** A path to an image file, or its encoded bytes. */
export type ImageInput = string | Uint8Array;

/** How to resize while decoding; see planResize. */
export interface DecodeResize {
  size: readonly [number, number];
  method: ResizeMethod;
  padMode?: PadMode;
  ctx: ItemContext;
}

const EXTEND_WITH = { zeros: "background", border: "copy", reflection: "mirror" } as const;

function describe(input: ImageInput): string {
  return typeof input === "string" ? input : `<buffer of ${input.length} bytes>`;
}

// "error" still rejects truncated files (libvips: premature end of JPEG) but tolerates harmless
// warnings that many real photo collections contain.
const open = (input: ImageInput) => sharp(input, { failOn: "error", autoOrient: true });

/** The displayed size (after EXIF orientation) of an image, reading only its header. */
export async function imageSize(input: ImageInput): Promise<{ width: number; height: number }> {
  try {
    const meta = await open(input).metadata();
    return { width: meta.autoOrient.width, height: meta.autoOrient.height };
  } catch (err) {
    throw new ImageDecodeError(describe(input), (err as Error).message, err);
  }
}

function applyPlan(image: Sharp, plan: ResizePlan, padMode: PadMode): Sharp {
  const resized = image.resize(plan.resizeWidth, plan.resizeHeight, { fit: "fill" });
  if (plan.method === "crop") {
    return resized.extract({ left: plan.left, top: plan.top, width: plan.width, height: plan.height });
  }
  if (plan.method === "pad") {
    return resized.extend({
      top: plan.top,
      bottom: plan.bottom,
      left: plan.left,
      right: plan.right,
      background: { r: 0, g: 0, b: 0, alpha: 1 },
      extendWith: EXTEND_WITH[padMode],
    });
  }
  return resized;
}

/**
 * Decodes `input` to raw RGB, resized as `resize` says (or at its own size without it).
 * Throws ImageDecodeError naming the file when it is missing, truncated, or not an image.
 */
export async function decodeImage(input: ImageInput, resize?: DecodeResize): Promise<RawImage> {
  try {
    let image = open(input);
    if (resize !== undefined) {
      const meta = await image.metadata();
      const plan = planResize(
        meta.autoOrient.width,
        meta.autoOrient.height,
        resize.size,
        resize.method,
        resize.ctx,
      );
      image = applyPlan(image, plan, resize.padMode ?? "zeros");
    }
    const { data, info } = await image
      .removeAlpha()
      .toColourspace("srgb")
      .raw({ depth: "uchar" })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
      throw new Error(`decoded to ${info.channels} channels of ${info.width}×${info.height}, expected RGB`);
    }
    return { data, width: info.width, height: info.height, channels: 3 };
  } catch (err) {
    if (err instanceof ImageDecodeError || err instanceof TransformArgumentError) throw err;
    throw new ImageDecodeError(describe(input), (err as Error).message, err);
  }
}
