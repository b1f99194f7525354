export { PlotError } from "./errors.js";
export { makeFigure } from "./figure.js";
export { type PlotLossOptions, plotLoss } from "./loss.js";
export { type PlotLrFindOptions, plotLrFind, suggestionLabel } from "./lrfind.js";
export { renderSVG, svgToPNG } from "./render.js";
export {
  epochTable,
  formatCell,
  type Report,
  type ReportSection,
  type ReportTable,
  renderReport,
  saveReport,
} from "./report.js";
export { type PlotSchedOptions, plotSched } from "./sched.js";
export type { Figure, RecorderLike, SaveOptions, SuggestionMark, VegaLiteSpec } from "./types.js";
