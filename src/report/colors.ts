/**
 * One fixed optimizer → colour map for every chart of every report, so "Adam is red" holds across
 * experiments: Vega's Tableau 10 in registry order, then Dark2 for the rest of the registry. Tableau's
 * pink and brown swap places so that the study's SGD (8th) is brown, not a pink that reads like Adam's red.
 * Tableau's light grey is left out: it is the colour of the surfaces' contour lines, and a trajectory drawn
 * in it (Nesterov's, once) vanishes into them. Dark2 starts at its magenta, the most vivid of its colours.
 *
 * Optimizers outside the built-in registry (`--optimizer-file` modules) get colours of their own, apart
 * from all of those: see USER_OPTIMIZER_COLORS.
 */
import { scheme } from 'vega';
import { OPTIMIZER_NAMES } from '../optimizers/names.js';

const TABLEAU = scheme('tableau10') as string[];
const DARK2 = scheme('dark2') as string[];
const PALETTE: string[] = [...TABLEAU.slice(0, 7), TABLEAU[8], TABLEAU[7], ...DARK2.slice(3), ...DARK2.slice(0, 3)];
/** The surfaces' contour lines: lighter than every optimizer colour. */
export const CONTOUR_COLOR = '#cccccc';

/**
 * Colours for user optimizers: deep indigo, maroon, dark green, ochre, violet. Each is at least 30 CIELAB units
 * (ΔE*76) from every built-in's colour and from the contours, and at least 30 from the others (a difference
 * of ~10 is already plain side by side; tests/report/colors.test.ts checks all of it). The Dark2 colours the
 * registry leaves over would not do: its orange, purple and brown sit next to Adagrad's, RMSprop's and SGD's,
 * and its grey reads as "no colour", which is how user optimizers were drawn before.
 */
export const USER_OPTIMIZER_COLORS: readonly string[] = ['#1d1aa6', '#6b0d18', '#0b5d3b', '#8a5a00', '#c04cf5'];

const BUILTIN_COLORS: ReadonlyMap<string, string> = new Map(
  OPTIMIZER_NAMES.map((name, index) => [name, PALETTE[index % PALETTE.length]]),
);

/** FNV-1a: a small, stable string hash (a user optimizer's preferred colour must not change between runs). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const char of text) hash = Math.imul(hash ^ char.codePointAt(0)!, 0x01000193) >>> 0;
  return hash;
}

/**
 * The colour of each optimizer of one report. `optimizers` names every optimizer of the run (or of the runs a
 * chart compares), so that all its charts agree even when one of them leaves an optimizer out.
 *
 * Built-ins keep their registry colour. Each other optimizer prefers the user colour its name hashes to, so
 * Lion is drawn in the same colour in every run; when two names of one run hash alike, the later one in
 * alphabetical order takes the next free colour, so that every user optimizer of a run has its own (up to
 * USER_OPTIMIZER_COLORS.length of them; beyond that colours repeat).
 */
export function optimizerPalette(optimizers: Iterable<string>): (optimizer: string) => string {
  const users = [...new Set(optimizers)].filter((name) => !BUILTIN_COLORS.has(name)).sort();
  const taken = new Set<number>();
  const assigned = new Map<string, string>();
  for (const name of users) {
    const preferred = fnv1a(name) % USER_OPTIMIZER_COLORS.length;
    let slot = preferred;
    if (taken.size < USER_OPTIMIZER_COLORS.length) {
      while (taken.has(slot)) slot = (slot + 1) % USER_OPTIMIZER_COLORS.length;
    }
    taken.add(slot);
    assigned.set(name, USER_OPTIMIZER_COLORS[slot]);
  }
  return (optimizer) => BUILTIN_COLORS.get(optimizer) ?? assigned.get(optimizer) ?? USER_OPTIMIZER_COLORS[fnv1a(optimizer) % USER_OPTIMIZER_COLORS.length];
}

/** Stroke dash per implementation: solid for tfjs built-ins, dashed for the from-scratch versions. */
export const IMPL_DASH = { builtin: [1, 0], scratch: [6, 3] } as const;
