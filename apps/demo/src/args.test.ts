import { describe, expect, it } from "vitest";
import { parseArgs, UsageError } from "./args.js";

const BASE = "/work/here";
const DEFAULT = "/repo/apps/demo/out";
const parse = (...argv: string[]) => parseArgs(argv, BASE, DEFAULT);

describe("parseArgs", () => {
  it("defaults: the local images, full length, the default out folder", () => {
    expect(parse()).toEqual({ kind: "run", options: { pets: false, quick: false, out: DEFAULT } });
  });

  it("reads every flag; skips the -- separators pnpm passes through", () => {
    expect(parse("--", "--", "--pets", "--quick", "--out", "/abs/out")).toEqual({
      kind: "run",
      options: { pets: true, quick: true, out: "/abs/out" },
    });
  });

  it("resolves a relative --out (also --out=dir) against the base folder", () => {
    expect(parse("--out", "results/run1")).toMatchObject({ options: { out: "/work/here/results/run1" } });
    expect(parse("--out=../x")).toMatchObject({ options: { out: "/work/x" } });
  });

  it("--help (or -h) wins over the other flags", () => {
    expect(parse("--quick", "--help")).toEqual({ kind: "help" });
    expect(parse("-h")).toEqual({ kind: "help" });
  });

  it("rejects unknown arguments and a --out without a folder, naming them", () => {
    expect(() => parse("--fast")).toThrow(new UsageError('unknown argument "--fast"'));
    expect(() => parse("pets")).toThrow(new UsageError('unknown argument "pets"'));
    expect(() => parse("--out")).toThrow(new UsageError("--out needs a folder, got nothing"));
    expect(() => parse("--out", "--quick")).toThrow(new UsageError('--out needs a folder, got "--quick"'));
    expect(() => parse("--out=")).toThrow(new UsageError('--out needs a folder, got ""'));
  });
});
