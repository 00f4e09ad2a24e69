import { describe, expect, it } from 'vitest';
import { lab } from 'd3-color';
import { CONTOUR_COLOR, optimizerPalette, USER_OPTIMIZER_COLORS } from '../../src/report/colors.js';
import { OPTIMIZER_NAMES } from '../../src/optimizers/names.js';

/** CIELAB ΔE*76: about 2.3 is just noticeable; 30 is two clearly different colours. */
function deltaE(a: string, b: string): number {
  const [x, y] = [lab(a), lab(b)];
  return Math.hypot(x.l - y.l, x.a - y.a, x.b - y.b);
}

const builtinColors = () => {
  const color = optimizerPalette(OPTIMIZER_NAMES);
  return OPTIMIZER_NAMES.map(color);
};

describe('optimizerPalette', () => {
  it('gives every built-in optimizer its own colour, the same whatever else the run holds', () => {
    const colours = builtinColors();
    expect(new Set(colours).size).toBe(colours.length);
    expect(optimizerPalette(['adam', 'lion', 'adabelief'])('adam')).toBe(colours[OPTIMIZER_NAMES.indexOf('adam')]);
    expect(optimizerPalette([])('sgd')).toBe(colours[OPTIMIZER_NAMES.indexOf('sgd')]);
  });

  it('draws user optimizers in colours that stand apart from the built-ins, the contours and each other', () => {
    for (const user of USER_OPTIMIZER_COLORS) {
      for (const other of [...builtinColors(), CONTOUR_COLOR]) expect(deltaE(user, other), `${user} vs ${other}`).toBeGreaterThanOrEqual(30);
      for (const other of USER_OPTIMIZER_COLORS.filter((c) => c !== user)) expect(deltaE(user, other), `${user} vs ${other}`).toBeGreaterThanOrEqual(30);
    }
  });

  it('keeps a user optimizer\'s colour from run to run, and gives each user optimizer of a run its own', () => {
    const alone = optimizerPalette(['adam', 'lion'])('lion');
    expect(USER_OPTIMIZER_COLORS).toContain(alone);
    expect(optimizerPalette(['lion', 'sgd', 'adadelta'])('lion')).toBe(alone);
    // As many user optimizers as there are user colours: all distinct, whatever their names hash to.
    const names = ['lion', 'adabelief', 'sophia', 'prodigy', 'shampoo'];
    const color = optimizerPalette([...names, 'adam']);
    expect(new Set(names.map(color)).size).toBe(USER_OPTIMIZER_COLORS.length);
    // The same run's optimizers in another order: the same colours.
    const reversed = optimizerPalette(['adam', ...names].reverse());
    expect(names.map(reversed)).toEqual(names.map(color));
  });

  it('colours an optimizer the run did not name like the run would have', () => {
    // A chart given only part of a run still finds a user colour, never a built-in's or a neutral grey.
    expect(USER_OPTIMIZER_COLORS).toContain(optimizerPalette(['adam'])('plugin-optimizer'));
    expect(optimizerPalette(['adam'])('lion')).toBe(optimizerPalette(['lion'])('lion'));
  });
});
