import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { configureSharp } from "./sharp-config.js";

describe("configureSharp", () => {
  it("sets threads per image and the cache, and returns the previous settings to restore them", () => {
    const before = { threadsPerImage: sharp.concurrency(), cache: sharp.cache().items.max > 0 };
    const previous = configureSharp({ threadsPerImage: 2, cache: false });
    expect(previous).toEqual(before);
    expect(sharp.concurrency()).toBe(2);
    expect(sharp.cache().items.max).toBe(0);
    expect(configureSharp()).toEqual({ threadsPerImage: 2, cache: false });
    expect(sharp.concurrency()).toBe(1);
    configureSharp(previous);
    expect(sharp.concurrency()).toBe(before.threadsPerImage);
    expect(sharp.cache().items.max > 0).toBe(before.cache);
  });
});
