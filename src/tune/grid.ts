/**
 * The learning-rate grid of a --tune run and the rule that picks from it.
 *
 * Default grid: 7 points spaced ×√10 (half a decade) and centred on the optimizer's Keras default, i.e.
 * default × 10^{−1.5, −1, −0.5, 0, 0.5, 1, 1.5}: three decades, from 1/31.6 to 31.6 times the default.
 * Why: Adam-family rates are commonly tuned between 1e-4 and 1e-2 and SGD's between 1e-3 and 0.3, so
 * three decades centred on each Keras default hold the usual range of every optimizer here; half-decade
 * steps are the coarsest at which neighbouring rates still bracket the optimum (near it the validation
 * loss is flat in log rate), and 7 points keep the grid's cost at about 5.6 default-rate runs per
 * optimizer (7 × 80 % of the training data; measured costs in docs/tuning.md).
 * A choice at either end of the grid is flagged: the best rate may lie beyond it (Adadelta, whose
 * Keras default 0.001 is three decades below the 1.0 its paper uses, is the expected case).
 */

export const DEFAULT_GRID_POINTS = 7;
export const DEFAULT_GRID_RATIO = Math.sqrt(10);

/** `points` rates spaced by `ratio`, centred on `center` (an odd count puts the centre on the grid). */
export function learningRateGrid(center: number, points = DEFAULT_GRID_POINTS, ratio = DEFAULT_GRID_RATIO): number[] {
  if (!(center > 0) || !Number.isInteger(points) || points < 2 || !(ratio > 1)) {
    throw new RangeError(`a learning-rate grid needs a positive centre, ≥ 2 points and a ratio > 1; got ${center}, ${points}, ${ratio}`);
  }
  const middle = (points - 1) / 2;
  // Six significant digits, as --lr's parser rounds, so unit ids read 0.000316228, not 0.00031622776601683794.
  return Array.from({ length: points }, (_, i) => Number((center * ratio ** (i - middle)).toPrecision(6)));
}

/**
 * The grid rate with the lowest loss (null = that rate diverged or failed, never chosen). Ties go to the
 * rate nearest the default in log scale, then to the lower rate: the choice is a pure function of the
 * losses. Null when no rate has a loss.
 */
export function chooseRate(grid: readonly number[], losses: readonly (number | null)[], defaultRate: number): { chosen: number | null; atEdge?: 'lower' | 'upper' } {
  let best: number | null = null;
  grid.forEach((rate, i) => {
    const loss = losses[i];
    if (loss === null || !Number.isFinite(loss)) return;
    if (best === null) {
      best = i;
      return;
    }
    const bestLoss = losses[best]!;
    const distance = (r: number) => Math.abs(Math.log(r / defaultRate));
    if (loss < bestLoss || (loss === bestLoss && (distance(rate) < distance(grid[best]) || (distance(rate) === distance(grid[best]) && rate < grid[best])))) best = i;
  });
  if (best === null) return { chosen: null };
  const index: number = best;
  const atEdge = index === 0 ? 'lower' : index === grid.length - 1 ? 'upper' : undefined;
  return { chosen: grid[index], ...(atEdge && grid.length > 1 ? { atEdge } : {}) };
}
