import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile } from "vega-lite";
import type { VegaLiteSpec } from "./types.js";

/** Compiles and renders a Vega-Lite spec to SVG in Node: one parse and one render per call. */
export async function renderSVG(spec: VegaLiteSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Rasterises an SVG to PNG. Vega writes `font-family="sans-serif"`, which resvg would resolve to a
 * serif face; naming DejaVu Sans as the sans-serif family keeps the text as designed.
 */
export function svgToPNG(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
    fitTo: { mode: "zoom", value: scale },
    background: "white",
  });
  return resvg.render().asPng();
}
