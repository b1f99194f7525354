/** Reading a README: its runnable examples and what each one says it prints. */

/** The ```ts blocks of a markdown text, in order: the examples a README promises will run. */
export function tsBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```ts\r?\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

/**
 * The text under a `## heading` up to the next `## ` heading, or undefined when the README has no
 * such heading, so a test can run one part's examples and fail by name when the part is gone.
 */
export function readmeSection(markdown: string, heading: string): string | undefined {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) return undefined;
  const end = markdown.indexOf("\n## ", start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

/** What a block says it prints on its `console.log(...); // → X` lines, in order, so tests can hold it to that. */
export function arrowClaims(code: string): string[] {
  return [...code.matchAll(/console\.log\(.*\); \/\/ → (.*)$/gm)].map((m) => (m[1] as string).trim());
}

/**
 * The leading `true …` words of each `console.log(...); // true …` line, in order: READMEs that
 * write their checks as boolean expressions claim exactly those words (text after them is prose).
 */
export function trueClaims(code: string): string[] {
  return [...code.matchAll(/console\.log\(.*\); \/\/ ((?:true\b ?)+)/gm)].map((m) => (m[1] as string).trim());
}
