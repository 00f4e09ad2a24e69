import { describe, expect, it } from 'vitest';
import { optimizerColor, UNKNOWN_OPTIMIZER_COLOR } from '../../src/report/colors.js';
import { OPTIMIZERS } from '../../src/optimizers/registry.js';

describe('optimizerColor', () => {
  it('gives every registry optimizer its own colour, the same in every run', () => {
    const colours = Object.keys(OPTIMIZERS).map(optimizerColor);
    expect(new Set(colours).size).toBe(colours.length);
    expect(optimizerColor('adam')).toBe(colours[Object.keys(OPTIMIZERS).indexOf('adam')]);
    expect(colours).not.toContain(UNKNOWN_OPTIMIZER_COLOR);
  });

  it('draws an optimizer outside the registry in the neutral colour', () => {
    expect(optimizerColor('plugin-optimizer')).toBe(UNKNOWN_OPTIMIZER_COLOR);
  });
});
