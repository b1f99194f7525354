import { expect, it } from "vitest";
import { arrowClaims, readmeSection, trueClaims, tsBlocks } from "./blocks.js";

const fence = "```";
const readme = [
  "# pkg",
  "## Example",
  `${fence}ts\nconst a = 1;\n${fence}`,
  `${fence}sh\npnpm add pkg\n${fence}`,
  "## LR finder",
  `${fence}ts\nconst b = 2;\n${fence}`,
  `${fence}js\nconst c = 3;\n${fence}`,
  `${fence}ts\nconst d = 4;\n${fence}`,
  "## Options",
  "text",
].join("\n");

it("tsBlocks returns the ts blocks only, in order, without their fences", () => {
  expect(tsBlocks(readme)).toEqual(["const a = 1;\n", "const b = 2;\n", "const d = 4;\n"]);
  expect(tsBlocks("no code here")).toEqual([]);
});

it("readmeSection stops at the next ## heading and is undefined for a missing one", () => {
  const section = readmeSection(readme, "LR finder");
  expect(tsBlocks(section ?? "")).toEqual(["const b = 2;\n", "const d = 4;\n"]);
  expect(section).not.toContain("## Options");
  expect(readmeSection(readme, "Options")).toBe("\n## Options\ntext");
  expect(readmeSection(readme, "LR")).toBeUndefined();
});

it("arrowClaims reads the text after `// →` on console.log lines, in order", () => {
  const code = [
    "console.log(a, b); // → 1 2 ",
    "// → not a console.log line",
    "console.log(c); // 3 (no arrow: prose)",
    "console.log([1, 2].join()); // → 1,2",
  ].join("\n");
  expect(arrowClaims(code)).toEqual(["1 2", "1,2"]);
});

it("trueClaims reads the leading `true` words and leaves the prose after them", () => {
  const code = [
    "console.log(a === 1, b === 2); // true true",
    "console.log(x); // true (weights restored)",
    "console.log(y); // trueish",
    "console.log(z); // → true",
  ].join("\n");
  expect(trueClaims(code)).toEqual(["true true", "true"]);
});
