/** Readers for the raw files of `shared/data` (formats as its README describes them). */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { benchDir } from "../results.js";

/** `shared/data` beside the repository, or `$SCHED_DATA`. */
export function dataDir(): string {
  const dir = process.env.SCHED_DATA ?? join(benchDir, "..", "..", "..", "shared", "data");
  if (!existsSync(dir)) {
    throw new Error(`bench: data folder ${dir} not found (set SCHED_DATA to the shared/data folder)`);
  }
  return dir;
}

/** A file of `shared/data`, gunzipped when its name ends in `.gz`. */
export function readData(relPath: string): Buffer {
  const raw = readFileSync(join(dataDir(), relPath));
  return relPath.endsWith(".gz") ? gunzipSync(raw) : raw;
}

/** Rows of numbers from comma- or whitespace-separated text; empty lines are skipped. */
export function numberRows(text: string, sep: RegExp = /[,\s]+/): number[][] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line, i) => {
      const row = line.split(sep).map(Number);
      if (row.some((v) => !Number.isFinite(v)))
        throw new Error(`bench: line ${i + 1} is not numeric: ${line}`);
      return row;
    });
}

/** An IDX file (MNIST): checks the magic number and returns the dimensions and the uint8 payload. */
export function readIdx(buf: Buffer, magic: number): { dims: number[]; data: Uint8Array } {
  const got = buf.readUInt32BE(0);
  if (got !== magic) throw new Error(`bench: IDX magic ${got}, expected ${magic}`);
  const nDims = magic & 0xff;
  const dims = Array.from({ length: nDims }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  const offset = 4 + 4 * nDims;
  const size = dims.reduce((a, b) => a * b, 1);
  if (buf.length !== offset + size) {
    throw new Error(`bench: IDX holds ${buf.length - offset} bytes, its header says ${size}`);
  }
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + offset, size) };
}
