/**
 * One fixed optimizer → colour map for every chart of every report, so "Adam is orange" holds across
 * experiments: Vega's Tableau 10 in registry order, then Dark2 for the rest of the registry. Tableau's
 * pink and brown swap places so that the study's SGD (8th) is brown, not a pink that reads like Adam's red.
 * Tableau's light grey is left out: it is the colour of the surfaces' contour lines, and a trajectory drawn
 * in it (Nesterov's, once) vanishes into them. Dark2 starts at its magenta, the most vivid of its colours.
 */
import { scheme } from 'vega';
import { OPTIMIZERS } from '../optimizers/registry.js';

const TABLEAU = scheme('tableau10') as string[];
const DARK2 = scheme('dark2') as string[];
const PALETTE: string[] = [...TABLEAU.slice(0, 7), TABLEAU[8], TABLEAU[7], ...DARK2.slice(3), ...DARK2.slice(0, 3)];
/** The surfaces' contour lines: lighter than every optimizer colour. */
export const CONTOUR_COLOR = '#cccccc';
/** For optimizers outside the registry (plug-ins, test fixtures): neutral, clearly not a registry colour. */
export const UNKNOWN_OPTIMIZER_COLOR = '#333333';

const REGISTRY_COLORS: ReadonlyMap<string, string> = new Map(
  Object.keys(OPTIMIZERS).map((name, index) => [name, PALETTE[index % PALETTE.length]]),
);

export function optimizerColor(optimizer: string): string {
  return REGISTRY_COLORS.get(optimizer) ?? UNKNOWN_OPTIMIZER_COLOR;
}

/** Stroke dash per implementation: solid for tfjs built-ins, dashed for the from-scratch versions. */
export const IMPL_DASH = { builtin: [1, 0], scratch: [6, 3] } as const;
