import { extname } from "node:path";
import { PlotError } from "./errors.js";
import { escapeHTML, htmlPage, inlineSvg } from "./html.js";
import type { Figure, RecorderLike } from "./types.js";
import { writeAtomic } from "./write.js";

/** A table for a report: header names and rows of cells (numbers are shown with 4 significant digits). */
export interface ReportTable {
  columns: readonly string[];
  rows: readonly (readonly (string | number | null | undefined)[])[];
  caption?: string;
}

/** One section of a report: a heading with any of a figure, a table and a paragraph of text. */
export interface ReportSection {
  heading: string;
  figure?: Figure;
  table?: ReportTable;
  text?: string;
}

/** A report page: a title and its sections, in order. */
export interface Report {
  title: string;
  sections: readonly ReportSection[];
}

/** Integers as they are, other numbers to 4 significant digits, nothing for null. */
export function formatCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

function tableHTML(table: ReportTable, where: string): string {
  if (!Array.isArray(table.columns) || !Array.isArray(table.rows)) {
    throw new PlotError(`${where}: a table needs columns (string[]) and rows (cell[][])`);
  }
  const head = table.columns.map((c) => `<th>${escapeHTML(String(c))}</th>`).join("");
  const rows = table.rows.map((row, r) => {
    if (!Array.isArray(row) || row.length !== table.columns.length) {
      throw new PlotError(
        `${where}: table row ${r} has ${Array.isArray(row) ? row.length : "no"} cells; the table has ${table.columns.length} columns`,
      );
    }
    return `<tr>${row.map((cell) => `<td>${escapeHTML(formatCell(cell))}</td>`).join("")}</tr>`;
  });
  const caption = table.caption ? `<caption>${escapeHTML(table.caption)}</caption>` : "";
  return `<table>${caption}<thead><tr>${head}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/**
 * Renders a self-contained HTML report: every figure as an inline SVG (ids scoped per figure so
 * several vega SVGs can share the page), tables and text; no scripts, no network resources.
 */
export async function renderReport(report: Report): Promise<string> {
  if (!report || typeof report.title !== "string" || !Array.isArray(report.sections)) {
    throw new PlotError("renderReport: expected { title: string, sections: ReportSection[] }");
  }
  const parts = [`<h1>${escapeHTML(report.title)}</h1>`];
  for (const [i, section] of report.sections.entries()) {
    const where = `renderReport: sections[${i}]`;
    if (typeof section?.heading !== "string") throw new PlotError(`${where}.heading must be a string`);
    parts.push(`<section>`, `<h2>${escapeHTML(section.heading)}</h2>`);
    if (section.text !== undefined) {
      for (const para of String(section.text).split(/\n\s*\n/))
        parts.push(`<p>${escapeHTML(para.trim())}</p>`);
    }
    if (section.figure !== undefined) {
      if (typeof section.figure?.toSVG !== "function") throw new PlotError(`${where}.figure is not a Figure`);
      parts.push(`<figure>${inlineSvg(await section.figure.toSVG(), `f${i}-`)}</figure>`);
    }
    if (section.table !== undefined) parts.push(tableHTML(section.table, `${where}.table`));
    parts.push(`</section>`);
  }
  return htmlPage(report.title, parts.join("\n"));
}

/** Writes `renderReport(report)` to a `.html` (or `.htm`) file. */
export async function saveReport(path: string, report: Report): Promise<void> {
  const ext = extname(path).toLowerCase();
  if (ext !== ".html" && ext !== ".htm") {
    throw new PlotError(`saveReport: a report is HTML; got extension "${ext}" in path "${path}"`);
  }
  await writeAtomic(path, await renderReport(report));
}

/**
 * The per-epoch table of a recorder: `metricNames` without "time" as columns, one row per entry of
 * `values` led by its epoch number (the rows themselves start at "train_loss", as the reference).
 */
export function epochTable(recorder: RecorderLike, caption?: string): ReportTable {
  const values = recorder?.values;
  if (!Array.isArray(values)) throw new PlotError("epochTable: recorder.values must be an array of rows");
  const width = Math.max(0, ...values.map((r) => r.length));
  const names = (recorder.metricNames ?? []).filter((n) => n !== "time");
  const columns =
    names[0] === "epoch" && names.length === width + 1
      ? names
      : ["epoch", ...Array.from({ length: width }, (_, j) => names[j + 1] ?? `value ${j + 1}`)];
  const rows = values.map((row, k) => [k, ...Array.from({ length: width }, (_, j) => row[j])]);
  return caption === undefined ? { columns, rows } : { columns, rows, caption };
}
