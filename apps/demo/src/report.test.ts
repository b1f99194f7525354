import { describe, expect, it } from "vitest";
import { mergeCoincident } from "./report.js";

describe("mergeCoincident", () => {
  it("gives suggestions at the same point one marker named by all of them, in order", () => {
    const merged = mergeCoincident({
      valley: { lr: 2.5e-4, point: [2.5e-4, 0.9] },
      slide: { lr: 6.3e-7, point: [6.3e-7, 1.15] },
      minimum: { lr: 1.6e-3, point: [1.6e-2, 0.62] },
      steep: { lr: 6.3e-7, point: [6.3e-7, 1.15] },
    });
    expect(merged).toEqual({
      valley: { lr: 2.5e-4, point: [2.5e-4, 0.9] },
      "slide, steep": { lr: 6.3e-7, point: [6.3e-7, 1.15] },
      minimum: { lr: 1.6e-3, point: [1.6e-2, 0.62] },
    });
  });

  it("keeps suggestions apart when only the LR or only the point is shared", () => {
    const merged = mergeCoincident({
      minimum: { lr: 1e-3, point: [1e-2, 0.5] },
      steep: { lr: 1e-3, point: [1e-3, 0.7] },
      valley: { lr: 1e-2, point: [1e-2, 0.5] },
    });
    expect(Object.keys(merged)).toEqual(["minimum", "steep", "valley"]);
  });
});
