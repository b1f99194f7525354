/**
 * The out/ folder: per part the LR-finder plot (suggestions marked), the one-cycle schedule (lr and
 * mom) and the losses (train + valid) as PNG, and report.html with all of them, the epoch tables,
 * the suggestions and the diagnostics.
 */
import { join } from "node:path";
import {
  epochTable,
  type Figure,
  plotLoss,
  plotLrFind,
  plotSched,
  type ReportSection,
  type ReportTable,
  saveReport,
} from "@sched/plot";
import type { Suggestion } from "@sched/suggest";
import type { ExperimentResult } from "./experiment.js";

/** One part of the demo, as the report shows it. */
export interface Part {
  /** File-name prefix: `<key>-lr-find.png`, … */
  key: string;
  title: string;
  /** What data and model the part used (with the data's licence). */
  about: string;
  result: ExperimentResult;
}

/** Facts about the whole run for the report's first section. */
export interface RunInfo {
  backend: string;
  mode: "full" | "quick";
  elapsedSeconds: number;
}

interface PartFigures {
  finder: Figure;
  schedule: Figure;
  loss: Figure;
}

/**
 * Suggestions that landed on the same point (e.g. slide and steep both at the first point) share one
 * marker labelled "slide, steep 6.31e-7": two labels drawn on top of each other cannot be read.
 */
export function mergeCoincident(suggestions: Record<string, Suggestion>): Record<string, Suggestion> {
  const byPoint = new Map<string, { names: string[]; suggestion: Suggestion }>();
  for (const [name, suggestion] of Object.entries(suggestions)) {
    const key = [suggestion.lr, ...suggestion.point].join("|");
    const seen = byPoint.get(key);
    if (seen) seen.names.push(name);
    else byPoint.set(key, { names: [name], suggestion });
  }
  return Object.fromEntries(
    [...byPoint.values()].map(({ names, suggestion }) => [names.join(", "), suggestion]),
  );
}

function figures(part: Part): PartFigures {
  const { finder, fit } = part.result;
  const nLosses = fit.losses.length;
  return {
    finder: plotLrFind(finder, {
      skipEnd: finder.lrs.length > 10 ? 5 : 0, // a run that stopped very early still shows its points
      suggestions: mergeCoincident(finder.suggestions),
      title: `${part.title}: LR finder`,
    }),
    schedule: plotSched(fit, { keys: ["lr", "mom"], title: `${part.title}: one-cycle schedule` }),
    // Skip the first batches as fastai does, but keep most of a short run.
    loss: plotLoss(fit, { skipStart: Math.min(5, Math.floor(nLosses / 4)), title: `${part.title}: losses` }),
  };
}

function suggestionTable(part: Part): ReportTable {
  const rows = Object.entries(part.result.finder.suggestions).map(([name, s]) => [
    name,
    s.lr.toExponential(2),
    s.point[1],
  ]);
  return {
    columns: ["suggestion", "learning rate", "loss at the marker"],
    rows,
    caption: "LR-finder suggestions",
  };
}

const STOPS: Record<string, string> = {
  completed: "it ran all its iterations",
  diverged: "the smoothed loss passed 4× its best, as it should at high learning rates",
  "non-finite": "the loss became NaN or infinite",
  stopped: "it was cancelled",
};

function finderText(part: Part): string {
  const { finder, lr, lrSource } = part.result;
  const why = STOPS[finder.stop] ?? finder.stop;
  const lines = [`The finder ran ${finder.lrs.length} iterations and stopped: ${why}.`];
  if (finder.error) lines.push(`No suggestion: ${finder.error}`);
  if (finder.note) lines.push(`Only some suggestion functions ran: ${finder.note}`);
  if (finder.diagnostics.length === 0 && !finder.error)
    lines.push("Diagnostics: none, the curve looks sound.");
  for (const d of finder.diagnostics) lines.push(`Diagnostic ${d.code}: ${d.message}`);
  lines.push(`The one-cycle fit used lrMax = ${lr.toExponential(2)} (${lrSource}).`);
  return lines.join("\n\n");
}

function partSections(part: Part, figs: PartFigures): ReportSection[] {
  const { fit } = part.result;
  const epochs = fit.values.length;
  return [
    { heading: part.title, text: part.about },
    {
      heading: `${part.title}: LR finder`,
      figure: figs.finder,
      table: suggestionTable(part),
      text: finderText(part),
    },
    {
      heading: `${part.title}: one-cycle schedule`,
      figure: figs.schedule,
      text: "Learning rate and momentum per training batch, as the ParamScheduler set them.",
    },
    {
      heading: `${part.title}: losses`,
      figure: figs.loss,
      table: epochTable(fit, `Epoch table (${epochs} epoch${epochs === 1 ? "" : "s"})`),
    },
  ];
}

/** Writes the PNGs and report.html into `outDir` (created if missing); returns the files, report last. */
export async function writeOutputs(outDir: string, parts: readonly Part[], info: RunInfo): Promise<string[]> {
  const written: string[] = [];
  const sections: ReportSection[] = [
    {
      heading: "Run",
      text: [
        `Backend: ${info.backend}. Mode: ${info.mode}. Training took ${info.elapsedSeconds.toFixed(1)} s.`,
        "Each part runs the LR finder (lrFind, restoring the model afterwards), then fitOneCycle at the " +
          "halfway suggestion (lrFind's default), or at a fallback LR when the finder's diagnostics distrust the curve. The figures are also in this folder as PNG files.",
      ].join("\n\n"),
    },
  ];
  for (const part of parts) {
    const figs = figures(part);
    for (const [name, fig] of [
      ["lr-find", figs.finder],
      ["schedule", figs.schedule],
      ["loss", figs.loss],
    ] as const) {
      const file = join(outDir, `${part.key}-${name}.png`);
      await fig.save(file);
      written.push(file);
    }
    sections.push(...partSections(part, figs));
  }
  const report = join(outDir, "report.html");
  await saveReport(report, { title: "@sched demo: LR finder and one-cycle", sections });
  written.push(report);
  return written;
}
