/** Runs a package README's ts examples against its sources, for the package's README tests. */
export { arrowClaims, readmeSection, trueClaims, tsBlocks } from "./blocks.js";
export type { BlockRun, ConsoleMethod, RunOptions } from "./run.js";
export { runBlock } from "./run.js";
