import { describe, expect, it } from "vitest";
import { runOrder, type Suite } from "./suite.js";

const suite = (name: string, after?: string[]): Suite => ({
  name,
  title: name,
  ...(after ? { after } : {}),
  run: async () => {},
});

describe("runOrder", () => {
  it("keeps file order, except that a suite follows the suites whose JSON it reads", () => {
    const order = runOrder([
      suite("backends"),
      suite("regret-heldout", ["regret", "regret-seeds"]),
      suite("regret-seeds", ["regret"]),
      suite("regret"),
      suite("vision"),
    ]);
    expect(order.map((s) => s.name)).toEqual([
      "backends",
      "regret",
      "regret-seeds",
      "regret-heldout",
      "vision",
    ]);
  });

  it("ignores a dependency that is not among the suites, and names a cycle", () => {
    expect(runOrder([suite("a", ["gone"])]).map((s) => s.name)).toEqual(["a"]);
    expect(() => runOrder([suite("a", ["b"]), suite("b", ["a"])])).toThrow(
      "bench: suites depend on each other in a cycle: a → b → a",
    );
  });
});
