import { extname } from "node:path";
import { PlotError } from "./errors.js";
import { escapeHTML, htmlPage, inlineSvg, scriptJSON } from "./html.js";
import { renderSVG, svgToPNG } from "./render.js";
import type { Figure, SaveOptions, VegaLiteSpec } from "./types.js";
import { writeAtomic } from "./write.js";

/** The title of a spec as plain text, for page titles. */
export function specTitle(spec: VegaLiteSpec, fallback = "Figure"): string {
  const t = (spec as { title?: unknown }).title;
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && typeof (t as { text?: unknown }).text === "string") {
    return (t as { text: string }).text;
  }
  return fallback;
}

/** A page showing one figure: the inline SVG plus its spec as inert JSON (for the Vega editor). */
export function figurePage(spec: VegaLiteSpec, svg: string): string {
  const title = specTitle(spec);
  return htmlPage(
    title,
    [
      `<h1>${escapeHTML(title)}</h1>`,
      `<figure>${inlineSvg(svg, "f0-")}</figure>`,
      `<script type="application/json" id="vega-lite-spec">${scriptJSON(spec)}</script>`,
    ].join("\n"),
  );
}

/** Wraps a Vega-Lite spec into a `Figure`. */
export function makeFigure(spec: VegaLiteSpec): Figure {
  return {
    spec,
    toSVG: () => renderSVG(spec),
    async save(path: string, options: SaveOptions = {}): Promise<void> {
      const ext = extname(path).toLowerCase();
      const { scale = 2 } = options;
      if (!(Number.isFinite(scale) && scale > 0)) {
        throw new PlotError(`save: scale must be a finite number > 0; got ${scale}`);
      }
      if (![".png", ".svg", ".html", ".htm"].includes(ext)) {
        throw new PlotError(
          `save: unknown file extension "${ext}" in path "${path}"; use .png, .svg or .html (.htm)`,
        );
      }
      const svg = await renderSVG(spec);
      if (ext === ".png") await writeAtomic(path, svgToPNG(svg, scale));
      else if (ext === ".svg") await writeAtomic(path, `<?xml version="1.0" encoding="utf-8"?>\n${svg}\n`);
      else await writeAtomic(path, figurePage(spec, svg));
    },
  };
}
