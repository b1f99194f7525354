// Image decoding through the native backend (tf.node.decodePng / decodeJpeg), checked against
// pixels that do not come from TensorFlow: a PNG written here byte by byte, JPEG headers parsed
// here, and a real photo from the shared datasets.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { crc32, deflateSync } from "node:zlib";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { initBackend } from "../backend.js";
import { paritySubject } from "./test-backends.js";

interface TfjsNode {
  node: {
    decodePng(contents: Uint8Array, channels?: number): tf.Tensor3D;
    decodeJpeg(contents: Uint8Array, channels?: number): tf.Tensor3D;
    decodeImage(contents: Uint8Array, channels?: number): tf.Tensor3D;
    encodeJpeg(image: tf.Tensor3D, format?: "" | "grayscale" | "rgb", quality?: number): Promise<Uint8Array>;
  };
}
const TFJS_NODE = "@tensorflow/tfjs-node";
const photo = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../../../../shared/data/oxford-pets-sample/cats/Abyssinian_13.jpg",
);

/** A minimal PNG (8-bit, no interlace, filter 0 on every row), written without TensorFlow. */
function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3 | 4): Uint8Array {
  const colorType = { 1: 0, 3: 2, 4: 6 }[channels];
  const chunk = (type: string, data: Uint8Array) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, colorType, 0, 0, 0], 8);
  const rows = Buffer.alloc(height * (width * channels + 1));
  for (let y = 0; y < height; y++) {
    rows.set(
      pixels.subarray(y * width * channels, (y + 1) * width * channels),
      y * (width * channels + 1) + 1,
    );
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

/** [height, width, components] from a JPEG's start-of-frame segment. */
function jpegSize(bytes: Uint8Array): [number, number, number] {
  const b = Buffer.from(bytes);
  let i = 2;
  while (i < b.length) {
    const marker = b[i + 1] as number;
    const length = b.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return [b.readUInt16BE(i + 5), b.readUInt16BE(i + 7), b[i + 9] as number];
    }
    i += 2 + length;
  }
  throw new Error("no start-of-frame segment");
}

describe("image decoding on the native backend", () => {
  let native: TfjsNode | null = null;
  beforeAll(async () => {
    if ((await paritySubject()) === "tensorflow") {
      const mod = (await import(/* @vite-ignore */ TFJS_NODE)) as TfjsNode & { default?: TfjsNode };
      native = mod.node ? mod : (mod.default as TfjsNode);
      await initBackend("tensorflow");
    }
  });

  it("exists exactly when the native backend loads", async () => {
    if (native) {
      expect(typeof native.node.decodePng).toBe("function");
    } else {
      // Without a working binding there is nothing to decode with: make sure that is really so.
      await expect(import(/* @vite-ignore */ TFJS_NODE)).rejects.toThrow(/tfjs_binding/);
    }
  });

  it("decodePng returns the exact pixels of a PNG written without TensorFlow (RGBA and grey)", () => {
    if (!native) return;
    const before = tf.memory().numTensors;
    const rgba = Uint8Array.from({ length: 7 * 5 * 4 }, (_, i) => (i * 97 + 13) % 256);
    const grey = Uint8Array.from({ length: 6 * 3 }, (_, i) => (i * 41) % 256);
    const a = native.node.decodePng(encodePng(rgba, 7, 5, 4), 4);
    const g = native.node.decodePng(encodePng(grey, 6, 3, 1), 1);
    try {
      expect(a.shape).toEqual([5, 7, 4]);
      expect(a.dtype).toBe("int32");
      expect(Array.from(a.dataSync())).toEqual(Array.from(rgba));
      expect(g.shape).toEqual([3, 6, 1]);
      expect(Array.from(g.dataSync())).toEqual(Array.from(grey));
    } finally {
      tf.dispose([a, g]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("decodeJpeg reads a real photo at the size its header states, with plausible pixels", () => {
    if (!native) return;
    const bytes = readFileSync(photo);
    const [height, width, components] = jpegSize(bytes);
    const before = tf.memory().numTensors;
    const img = native.node.decodeJpeg(bytes, 3);
    try {
      expect(img.shape).toEqual([height, width, 3]);
      expect(components).toBe(3);
      const [m, v] = tf.tidy(() => {
        const { mean, variance } = tf.moments(img.toFloat(), [0, 1]);
        return [mean.arraySync() as number[], variance.arraySync() as number[]];
      });
      for (const c of [0, 1, 2]) {
        expect(m[c]).toBeGreaterThan(10);
        expect(m[c]).toBeLessThan(245);
        expect(Math.sqrt(v[c] as number)).toBeGreaterThan(10); // a photo, not a flat field
      }
      const viaDecodeImage = native.node.decodeImage(bytes, 3);
      expect(Array.from(viaDecodeImage.dataSync())).toEqual(Array.from(img.dataSync()));
      viaDecodeImage.dispose();
    } finally {
      img.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it("a JPEG round trip of a smooth image stays within 3 levels on average and 24 at most", async () => {
    if (!native) return;
    const before = tf.memory().numTensors;
    const [h, w] = [24, 32];
    const pixels = Int32Array.from({ length: h * w * 3 }, (_, i) => {
      const [y, x, c] = [Math.floor(i / (w * 3)), Math.floor(i / 3) % w, i % 3];
      return 20 + 3 * x + 2 * y + 40 * c; // 20..239
    });
    const original = tf.tensor3d(pixels, [h, w, 3], "int32");
    const jpeg = await native.node.encodeJpeg(original, "rgb", 95);
    original.dispose();
    expect(jpegSize(jpeg)).toEqual([h, w, 3]);
    const decoded = native.node.decodeJpeg(jpeg, 3);
    const back = decoded.dataSync();
    decoded.dispose();
    const errors = Array.from(back, (p, i) => Math.abs(p - (pixels[i] as number)));
    expect(errors.reduce((s, e) => s + e, 0) / errors.length).toBeLessThan(3);
    expect(Math.max(...errors)).toBeLessThanOrEqual(24);
    expect(tf.memory().numTensors).toBe(before);
  });
});
