import { describe, expect, it } from "vitest";
import { DatasetError, loadOptdigits, parseOptdigits } from "./tabular.js";

function classCounts(y: Int32Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const v of y) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

describe("optdigits (shipped copy)", () => {
  it("has the UCI split sizes and class counts, features scaled to [0, 1]", () => {
    const { train, valid } = loadOptdigits();
    expect([train.n, valid.n]).toEqual([3823, 1797]);
    expect(train.x.length).toBe(3823 * 64);
    // Class counts published with the data (shared/data/README.md, from the UCI description).
    expect(classCounts(train.y)).toEqual([376, 389, 380, 389, 387, 376, 377, 387, 380, 382]);
    expect(classCounts(valid.y)).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    expect(train.x.reduce((a, v) => Math.min(a, v), Infinity)).toBe(0);
    expect(train.x.reduce((a, v) => Math.max(a, v), -Infinity)).toBe(1);
  });

  it("parses rows as count/16 and the label, skipping blank lines", () => {
    const row = (label: number, v: number) => [...new Array<number>(64).fill(v), label].join(",");
    const split = parseOptdigits(`${row(3, 8)}\n${row(9, 16)}\n\n`, "x.csv");
    expect(split.n).toBe(2);
    expect(Array.from(split.y)).toEqual([3, 9]);
    expect(split.x[0]).toBe(0.5);
    expect(split.x[64]).toBe(1);
  });

  it("names the file and the line of a malformed row", () => {
    const good = [...new Array<number>(64).fill(0), 1].join(",");
    expect(() => parseOptdigits(`${good}\n1,2,3\n`, "bad.tra")).toThrow(DatasetError);
    expect(() => parseOptdigits(`${good}\n1,2,3\n`, "bad.tra")).toThrow(/^bad\.tra: line 2 is not 64 counts/);
    const outOfRange = [...new Array<number>(63).fill(0), 17, 1].join(",");
    expect(() => parseOptdigits(outOfRange, "bad.tes")).toThrow(/bad\.tes: line 1/);
    const badLabel = [...new Array<number>(64).fill(0), 12].join(",");
    expect(() => parseOptdigits(badLabel, "bad.tes")).toThrow(/bad\.tes: line 1/);
  });
});
