import { parse, scheme } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { formatNumber } from '../../src/common/numbers.js';
import { OPTIMIZERS } from '../../src/optimizers/registry.js';
import { CONTOUR_COLOR, IMPL_DASH, optimizerPalette, USER_OPTIMIZER_COLORS } from '../../src/report/colors.js';
import { renderSvg } from '../../src/report/render.js';
import { buildCharts, SERIES_LINES, type Chart } from '../../src/report/specs.js';
import { summarizeRun } from '../../src/results/summary.js';
import type { RunResults } from '../../src/results/schema.js';
import { ROSENBROCK, SURFACES } from '../../experiments/costSurfaces.js';
import { makeResults, type UnitFixture } from '../fixtures/results/makeResults.js';
import { bostonLike, surfacesLike, sweepLike } from '../fixtures/results/sampleRuns.js';

const charts = (results: RunResults) => buildCharts(results, summarizeRun(results), SURFACES);
const chart = (results: RunResults, id: string): Chart => {
  const found = charts(results).find((c) => c.id === id);
  if (!found) throw new Error(`no chart '${id}'`);
  return found;
};
/** The spec as plain JSON, the way it is written to <id>.vl.json. */
const json = (spec: TopLevelSpec): any => JSON.parse(JSON.stringify(spec));
const layersOf = (spec: any): any[] => (spec.layer ?? []).flatMap((l: any) => (l.layer ? [l, ...layersOf(l)] : [l]));

/** Tableau 10 by registry order, pink and brown swapped (SGD brown), its grey left out: each optimizer's documented colour. */
const TABLEAU = scheme('tableau10') as string[];
const DOCUMENTED = [...TABLEAU.slice(0, 7), TABLEAU[8], TABLEAU[7]];
const expectedColour = (optimizer: string) => DOCUMENTED[Object.keys(OPTIMIZERS).indexOf(optimizer)];

const countMatches = (svg: string, pattern: RegExp) => (svg.match(pattern) ?? []).length;

describe('chart specs', () => {
  it('are valid Vega-Lite v6: every chart compiles and its Vega output parses', () => {
    for (const results of [bostonLike(), sweepLike(), surfacesLike()]) {
      for (const c of charts(results)) {
        expect(c.spec.$schema).toBe('https://vega.github.io/schema/vega-lite/v6.json');
        const vega = compile(c.spec).spec;
        expect(() => parse(vega)).not.toThrow();
      }
    }
  });

  it('make one loss, validation-loss, final-metric and time chart per model run; a heatmap only for sweeps', () => {
    expect(charts(bostonLike()).map((c) => c.id)).toEqual(['loss', 'val-loss', 'final-metric', 'epoch-time']);
    expect(charts(sweepLike()).map((c) => c.id)).toContain('lr-heatmap');
    const ownRates = makeResults([{ optimizer: 'adam', learningRate: 0.001 }, { optimizer: 'sgd', learningRate: 0.01 }]);
    expect(charts(ownRates).map((c) => c.id)).not.toContain('lr-heatmap');
    const noValidation = makeResults([{ optimizer: 'adam', valLoss: [null, null, null] , loss: [3, 2, 1] }]);
    expect(charts(noValidation).map((c) => c.id)).toEqual(['loss', 'final-metric', 'epoch-time']);
  });

  it('colour each optimizer by the fixed registry palette and dash from-scratch implementations', () => {
    const spec = json(chart(bostonLike(), 'loss').spec);
    const line = layersOf(spec).find((l) => l.name === SERIES_LINES);
    const { color, strokeDash } = line.encoding;
    const labels: string[] = color.scale.domain;
    expect(labels).toEqual(['Adadelta', 'Adagrad', 'Adam (builtin)', 'Adam (scratch)', 'Adamax', 'Ftrl — diverged', 'Nadam', 'RMSprop', 'SGD']);
    const optimizers = ['adadelta', 'adagrad', 'adam', 'adam', 'adamax', 'ftrl', 'nadam', 'rmsprop', 'sgd'];
    expect(color.scale.range).toEqual(optimizers.map(expectedColour));
    expect(new Set(color.scale.range).size).toBe(8); // the eight study optimizers, eight distinct colours
    expect(color.scale.range[labels.indexOf('SGD')]).toBe(TABLEAU[8]); // Tableau's brown
    const dashOf = (label: string) => strokeDash.scale.range[labels.indexOf(label)];
    expect(dashOf('Adam (scratch)')).not.toEqual(dashOf('Adam (builtin)'));
    expect(dashOf('Adam (builtin)')).toEqual(dashOf('RMSprop'));
  });

  it('colour user optimizers (--optimizer-file) apart from the built-ins, one colour each, the same in every chart', () => {
    const results = makeResults([
      { optimizer: 'adam' }, { optimizer: 'sgd' }, { optimizer: 'lion', impl: 'scratch' }, { optimizer: 'adabelief', impl: 'scratch' },
    ]);
    const colourOf = (id: string, label: string) => {
      const spec = json(chart(results, id).spec);
      const color = (layersOf(spec).find((l) => l.encoding?.color?.scale?.range) ?? spec).encoding.color;
      return color.scale.range[color.scale.domain.indexOf(label)];
    };
    for (const id of ['loss', 'val-loss', 'final-metric', 'epoch-time']) {
      const lion = colourOf(id, 'lion');
      const adabelief = colourOf(id, 'adabelief');
      expect(USER_OPTIMIZER_COLORS).toContain(lion);
      expect(USER_OPTIMIZER_COLORS).toContain(adabelief);
      expect(lion).not.toBe(adabelief);
      expect([lion, adabelief]).toEqual([colourOf('loss', 'lion'), colourOf('loss', 'adabelief')]);
      expect(colourOf(id, 'Adam')).toBe(expectedColour('adam'));
    }
  });

  it('draw one line per optimizer that ran ok, list every optimizer in the legend, and name the diverged one', async () => {
    const c = chart(bostonLike(), 'loss');
    const svg = await renderSvg(c.spec);
    // 9 series: 8 ok (Adam twice), Ftrl diverged.
    expect(countMatches(svg, new RegExp(`class="mark-line role-mark ${SERIES_LINES}_marks"`, 'g'))).toBe(8);
    expect(countMatches(svg, /class="mark-text role-legend-label"/g)).toBe(9);
    expect(svg).toContain('Ftrl — diverged');
    expect(svg).toContain('Not plotted: Ftrl (diverged in 3 of 3 seeds (seed 1): loss became Infinity at epoch 3)');
  });

  it('show a min–max band with several seeds and none with one', () => {
    const bands = (results: RunResults) => layersOf(json(chart(results, 'loss').spec)).filter((l) => l.mark?.type === 'area');
    expect(bands(bostonLike())).toHaveLength(1);
    expect(bands(bostonLike([1]))).toHaveLength(0);
  });

  it('draw reference lines as a rule on the validation loss', () => {
    const rules = layersOf(json(chart(bostonLike(), 'val-loss').spec)).filter((l) => l.mark?.type === 'rule');
    expect(rules).toHaveLength(1);
    expect(rules[0].data.values).toEqual([{ name: 'mean predictor', description: 'Predicting the training-set mean price', value: 6.5 }]);
  });

  it('draw surface trajectories in colours that stand out from the contours (no registry colour is grey)', () => {
    const spec = json(chart(surfacesLike(), 'surface-rosenbrock').spec);
    const contour = spec.layer[0].mark.color;
    expect(contour).toBe(CONTOUR_COLOR);
    const luminance = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const chroma = (hex: string) => {
      const channels = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      return Math.max(...channels) - Math.min(...channels);
    };
    const color = optimizerPalette(Object.keys(OPTIMIZERS));
    for (const [optimizer, colour] of [...Object.keys(OPTIMIZERS).map((o) => [o, color(o)]), ...USER_OPTIMIZER_COLORS.map((c) => ['user', c])]) {
      // Either clearly darker than the contours or clearly coloured: Nesterov was Tableau's #bab0ac on #bdbdbd.
      expect(luminance(contour) - luminance(colour) > 0.25 || chroma(colour) > 60, `${optimizer} ${colour}`).toBe(true);
    }
  });

  it('draw a line that lies on an earlier one dotted, say so, and name every line at its end', () => {
    const results = makeResults([
      { optimizer: 'adadelta', impl: 'scratch', loss: [22, 21.9, 21.8] },
      { optimizer: 'ftrl', impl: 'scratch', loss: [22, 21.9, 21.8] },
      { optimizer: 'adam', loss: [20, 5, 3] },
    ]);
    const spec = json(chart(results, 'loss').spec);
    const line = layersOf(spec).find((l) => l.name === SERIES_LINES);
    const dashOf = (label: string) => line.encoding.strokeDash.scale.range[line.encoding.strokeDash.scale.domain.indexOf(label)];
    expect(dashOf('Ftrl')).not.toEqual(dashOf('Adadelta'));
    expect(dashOf('Adadelta')).toEqual([...IMPL_DASH.scratch]);
    expect(spec.title.subtitle).toContain('Dotted: Ftrl lies on Adadelta');
    expect(line.mark.point).toBeDefined(); // short curves: a marker per epoch
    const labels = layersOf(spec).find((l) => l.mark?.type === 'text' && l.encoding?.text?.field === 'name');
    const ends = labels.data.values as { name: string; epoch: number; at: number }[];
    expect(ends.map((e) => e.name)).toEqual(['Adadelta', 'Ftrl', 'Adam']);
    expect(ends.every((e) => e.epoch === 3)).toBe(true);
    // Equal finals, labels apart: at least 12 px of the 320 px axis (the axis is linear here).
    const [low, high] = line.encoding.y.scale.domain;
    expect(Math.abs(ends[0].at - ends[1].at) / (high - low)).toBeGreaterThanOrEqual(12 / 320 - 1e-9);
  });

  it('switch to a log scale when losses span more than two orders of magnitude', () => {
    const scaleType = (units: UnitFixture[]) => {
      const line = layersOf(json(chart(makeResults(units), 'loss').spec)).find((l) => l.name === SERIES_LINES);
      return line.encoding.y.scale.type;
    };
    expect(scaleType([{ optimizer: 'adam', loss: [2, 1] }, { optimizer: 'sgd', loss: [1000, 900] }])).toBe('log');
    expect(scaleType([{ optimizer: 'adam', loss: [2, 1] }, { optimizer: 'sgd', loss: [3, 2] }])).toBe('linear');
  });

  it('switch to a log scale when a few poor optimizers squeeze the good ones into the bottom of the axis (Boston)', () => {
    const scaleOf = (results: RunResults) => layersOf(json(chart(results, 'val-loss').spec)).find((l) => l.name === SERIES_LINES).encoding.y.scale.type;
    expect(scaleOf(bostonLike())).toBe('log'); // finals near 2.7 on an axis up to 24: linear would put most curves in its bottom tenth
    const spread = makeResults(['adam', 'sgd', 'nadam'].map((optimizer, i) => ({ optimizer, loss: [10, 8, 4 + 2 * i] })));
    expect(scaleOf(spread)).toBe('linear');
  });

  it('format axis and tooltip numbers with the report helper (a custom Vega format type)', async () => {
    const tiny = chart(makeResults([{ optimizer: 'adam', loss: [3e-6, 2e-8] }, { optimizer: 'sgd', loss: [4e-6, 5e-7] }]), 'loss');
    expect(json(tiny.spec).config.customFormatTypes).toBe(true);
    const svg = await renderSvg(tiny.spec);
    const axisLabels = [...svg.matchAll(/role-axis-label[\s\S]*?<\/g>/g)].flatMap((m) => [...m[0].matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => t[1]));
    const yLabels = axisLabels.filter((label) => label.includes('e-'));
    expect(yLabels.length).toBeGreaterThan(0);
    for (const label of yLabels) expect(label).toBe(formatNumber(Number(label)));
    const shownText = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => t[1]);
    expect(shownText.filter((text) => /0\.0000/.test(text))).toEqual([]);
  });

  it('sort the final-metric bars best first, with the diverged optimizer last and labelled', () => {
    const results = makeResults([
      { optimizer: 'adam', loss: [1, 0.5], valMetric: [0.5, 0.8] },
      { optimizer: 'sgd', loss: [1, 0.5], valMetric: [0.5, 0.6] },
      { optimizer: 'ftrl', status: 'diverged' },
      { optimizer: 'rmsprop', loss: [1, 0.5], valMetric: [0.5, 0.9] },
    ]);
    const spec = json(chart(results, 'final-metric').spec);
    expect(spec.encoding.y.sort).toEqual(['RMSprop', 'Adam', 'SGD', 'Ftrl — diverged']);
    expect(spec.data.values.find((r: any) => r.series === 'Ftrl — diverged')).toMatchObject({ value: null, label: 'diverged' });
  });

  it('lay the sweep heatmap out as optimizer × learning rate, greying cells that did not run ok', async () => {
    const spec = json(chart(sweepLike(), 'lr-heatmap').spec);
    expect(spec.encoding.x.sort).toEqual(['0.0001', '0.001', '0.01']);
    expect(spec.encoding.y.sort).toEqual(['Adam', 'SGD']);
    expect(spec.data.values).toHaveLength(6);
    expect(spec.data.values.find((r: any) => r.optimizer === 'SGD' && r.learningRate === '0.01')).toMatchObject({ value: null, label: 'diverged' });
    const svg = await renderSvg(spec);
    expect(countMatches(svg, /<path[^>]*fill="#d9d9d9"/g)).toBe(1);
  });

  it('draw surface contours under one trajectory per optimizer that ran ok', async () => {
    const c = chart(surfacesLike(), 'surface-rosenbrock');
    const spec = json(c.spec);
    expect(spec.title.text).toBe(ROSENBROCK.title);
    const [contours] = spec.layer;
    expect(contours.mark.type).toBe('line');
    expect(contours.data.values.length).toBeGreaterThan(100);
    expect(spec.layer[1].layer[0].encoding.x.scale.domain).toEqual(ROSENBROCK.domain.x);
    const svg = await renderSvg(c.spec);
    expect(countMatches(svg, new RegExp(`${SERIES_LINES}_marks`, 'g'))).toBe(3);
    expect(svg).toContain('SGD + momentum — diverged');
  });
});
