/**
 * Contour lines of a 2-D cost surface for the trajectory charts: the function is evaluated on a grid
 * here and traced with d3-contour, so the chart shows the landscape the optimizers walked on.
 */
import { maxOf, minOf } from '../common/numbers.js';
import { contours } from 'd3-contour';

export type SurfaceFunction = (x: number, y: number) => number;
export type Range = [number, number];

/** One vertex of a contour line; `line` separates the pieces, `order` keeps the vertices in sequence. */
export interface ContourVertex {
  level: number;
  line: number;
  order: number;
  x: number;
  y: number;
}

/**
 * Levels evenly spaced in log(1 + f − min f): cost surfaces span orders of magnitude (Rosenbrock's
 * walls reach 10⁴ next to a valley near 0), so linear levels would all crowd onto the walls.
 */
function logLevels(values: number[], count: number): number[] {
  const min = minOf(values);
  const top = Math.log1p(maxOf(values) - min);
  return Array.from({ length: count }, (_, i) => Math.expm1((top * (i + 1)) / (count + 1)) + min);
}

/** Rounds to 1/10 000 of the range: far below a pixel, and it keeps the chart data small. */
function rounder(range: Range): (value: number) => number {
  const decimals = Math.max(0, 4 - Math.floor(Math.log10(range[1] - range[0])));
  return (value) => Number(value.toFixed(decimals));
}

export function contourLines(f: SurfaceFunction, xRange: Range, yRange: Range, options: { size?: number; levels?: number } = {}): ContourVertex[] {
  const { size = 120, levels = 14 } = options;
  const [roundX, roundY] = [rounder(xRange), rounder(yRange)];
  const dx = (xRange[1] - xRange[0]) / (size - 1);
  const dy = (yRange[1] - yRange[0]) / (size - 1);
  const values: number[] = [];
  for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) values.push(f(xRange[0] + i * dx, yRange[0] + j * dy));
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [];
  const ceiling = maxOf(finite);
  const clamped = values.map((v) => (Number.isFinite(v) ? v : ceiling));

  const vertices: ContourVertex[] = [];
  let line = 0;
  // d3-contour puts grid value i at coordinate i + 0.5 and closes rings along the grid border; the
  // border runs are not contour lines, so rings are cut there into separate pieces.
  const onBorder = ([gx, gy]: number[]) => gx <= 0 || gy <= 0 || gx >= size || gy >= size;
  for (const polygon of contours().size([size, size]).thresholds(logLevels(finite, levels))(clamped)) {
    for (const ring of polygon.coordinates.flat()) {
      let order = 0;
      for (const point of ring) {
        if (onBorder(point)) {
          if (order > 0) line++;
          order = 0;
          continue;
        }
        vertices.push({ level: Number(polygon.value.toPrecision(6)), line, order: order++, x: roundX(xRange[0] + (point[0] - 0.5) * dx), y: roundY(yRange[0] + (point[1] - 0.5) * dy) });
      }
      line++;
    }
  }
  return vertices;
}
