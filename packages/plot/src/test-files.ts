import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Width and height from a PNG's IHDR chunk, after checking the 8-byte signature. */
export function pngSize(buf: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!signature.every((b, i) => buf[i] === b)) throw new Error("not a PNG: bad signature");
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const type = String.fromCharCode(...buf.subarray(12, 16));
  if (type !== "IHDR" || view.getUint32(8) !== 13) throw new Error(`not a PNG: first chunk ${type}`);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** `width`/`height` attributes of the root `<svg>` element. */
export function svgSize(svg: string): { width: number; height: number } {
  const tag = /<svg\b[^>]*>/.exec(svg)?.[0] ?? "";
  const attr = (name: string) => Number(new RegExp(`\\s${name}="([\\d.]+)"`).exec(tag)?.[1]);
  return { width: attr("width"), height: attr("height") };
}

/**
 * Checks that markup is well formed enough to parse as XML: every element closes in order and the
 * whole document is one root. Returns the number of elements seen.
 */
export function checkWellFormed(xml: string): number {
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, "");
  const stack: string[] = [];
  let elements = 0;
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"]*")*)\s*(\/?)>/g)) {
    const [, closing, name, , selfClosing] = m;
    if (closing) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else {
      elements++;
      if (!selfClosing) stack.push(name as string);
    }
    if (stack.length === 0 && m.index + m[0].length < body.trimEnd().length) {
      throw new Error("content after the root element");
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.at(-1)}>`);
  return elements;
}

/** Text content of every `<text>` element of an SVG. */
export function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] as string);
}

/** A fresh temporary directory and its remover. */
export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "sched-plot-"));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
