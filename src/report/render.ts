/**
 * Renders Vega-Lite specs headlessly: vega-lite compiles to Vega, a Vega View without a renderer
 * draws to an SVG string, and resvg rasterises the SVG to PNG with a bundled system font (resvg
 * cannot see fonts unless it is given some, and text without a font silently disappears).
 */
import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import { expressionFunction, parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { formatNumber } from '../common/numbers.js';
import { MissingFontError } from './errors.js';
import { NUMBER_FORMAT_TYPE } from './specs.js';

// Axes and tooltips format numbers like the report's tables (the browser registers the same function: html.ts).
expressionFunction(NUMBER_FORMAT_TYPE, (value: number) => formatNumber(value));

/** DejaVu Sans from Debian's fonts-dejavu-core, where Debian and Ubuntu install it. */
const FONT_CANDIDATES = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/TTF/DejaVuSans.ttf', '/usr/share/fonts/dejavu/DejaVuSans.ttf'];
const FONT_FAMILY = 'DejaVu Sans';

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function fontFile(): string {
  const found = FONT_CANDIDATES.find((file) => existsSync(file));
  if (!found) throw new MissingFontError(FONT_CANDIDATES);
  return found;
}

/** PNG at twice the SVG's size, so it stays sharp on high-density screens. */
export function svgToPng(svg: string): Buffer {
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: false, fontFiles: [fontFile()], defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  });
  return resvg.render().asPng();
}
