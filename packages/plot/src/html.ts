/** Escapes text for HTML content and attribute values. */
export function escapeHTML(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

/** JSON that is safe inside a `<script type="application/json">` element. */
export function scriptJSON(value: unknown): string {
  return JSON.stringify(value).replaceAll("<", "\\u003c");
}

/**
 * Prefixes the ids of an inline SVG (and the `url(#…)`/`href="#…"` references to them) so that
 * several vega SVGs on one page cannot point at each other's clip paths or gradients.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}$1"`);
}

/**
 * An SVG ready to sit inside HTML: ids scoped by `prefix`, and the namespace declarations dropped
 * (the HTML parser supplies them), so the page holds no URL at all.
 */
export function inlineSvg(svg: string, prefix: string): string {
  return scopeSvgIds(svg, prefix).replace(/\s+xmlns(?::xlink)?="[^"]*"/g, "");
}

const STYLE = `
body { font-family: "DejaVu Sans", sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: right; }
th { background: #f4f4f4; } caption { caption-side: top; text-align: left; font-weight: bold; padding: 0.25rem 0; }
`;

/** A self-contained page: inline style and content, no scripts or resources from the network. */
export function htmlPage(title: string, body: string): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHTML(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    body,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}
