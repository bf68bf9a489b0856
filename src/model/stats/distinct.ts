/** The distinct values of a column and, for every row, the position of its value among them. */
export interface DistinctValues {
  values: Float64Array;
  index: Int32Array;
}

/**
 * Finds the distinct values of `column` (sorted). Summaries repeat the same T and t_x for many
 * customers (whole days), so per-value terms such as ln(α + T) are computed once per value.
 */
export function distinctValues(column: Float64Array): DistinctValues {
  const sorted = Float64Array.from(column).sort();
  let count = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[count - 1]) sorted[count++] = sorted[i] as number;
  }
  const values = sorted.slice(0, count);
  const index = new Int32Array(column.length);
  for (let row = 0; row < column.length; row++) {
    const value = column[row] as number;
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((values[mid] as number) < value) lo = mid + 1;
      else hi = mid;
    }
    index[row] = lo;
  }
  return { values, index };
}
