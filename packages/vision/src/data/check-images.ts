/**
 * The up-front check behind `onBadImage: "skip"`: every file is fully decoded once, at a tiny size
 * (JPEG and WebP decode straight to 1/8 scale, so this costs a fraction of a training epoch), and
 * the ones that fail are set aside before the split.
 */
import { decodeImage } from "../transforms/decode.js";
import { ImageDecodeError } from "../transforms/errors.js";

/** A file set aside, and why. */
export interface SkippedImage {
  file: string;
  reason: string;
}

/** Splits `files` into the decodable ones (order kept) and the others, `concurrency` at a time. */
export async function checkImages(
  files: readonly string[],
  concurrency: number,
): Promise<{ good: string[]; skipped: SkippedImage[] }> {
  const ok = new Array<boolean>(files.length).fill(false);
  const reasons = new Map<number, string>();
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      try {
        await decodeImage(files[i] as string, { size: [8, 8], method: "squish", ctx: { training: false } });
        ok[i] = true;
      } catch (e) {
        if (!(e instanceof ImageDecodeError)) throw e;
        reasons.set(i, e.message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, worker));
  const good = files.filter((_, i) => ok[i]);
  const skipped = [...reasons]
    .sort(([a], [b]) => a - b)
    .map(([i, reason]) => ({ file: files[i] as string, reason }));
  return { good, skipped };
}

/** One warning line: how many were skipped, and the first few names with their reasons. */
export function skippedWarning(skipped: readonly SkippedImage[], total: number): string {
  const shown = skipped.slice(0, 3).map((s) => s.reason);
  const more = skipped.length > shown.length ? `; and ${skipped.length - shown.length} more` : "";
  return `ImageDataLoaders: skipped ${skipped.length} of ${total} files that are not readable images (onBadImage: "skip"): ${shown.join("; ")}${more}`;
}
