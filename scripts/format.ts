/** Small printing helpers shared by the demo sections (Node-free, but kept outside the library). */

/** Formats a vector as `[ 1.234567, -0.500000 ]` with a fixed number of significant digits. */
export function formatVector(v: ArrayLike<number>, digits = 10): string {
  return `[ ${Array.from(v, (x) => formatNumber(x, digits)).join(', ')} ]`;
}

/** A number with `digits` significant digits, padded for alignment, exponent form when tiny/huge. */
export function formatNumber(x: number, digits = 10): string {
  if (x === 0) return ' 0';
  const abs = Math.abs(x);
  const text = abs < 1e-4 || abs >= 1e6 ? x.toExponential(digits - 1) : x.toPrecision(digits);
  return x < 0 ? text : ` ${text}`;
}

/** max |aᵢ − bᵢ|. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** A section heading: a title and a rule under it. */
export function heading(title: string): string {
  return `\n${title}\n${'─'.repeat(Math.min(title.length, 96))}`;
}

/** Left-aligned text columns, padded to the widest cell of each column. */
export function table(rows: readonly (readonly string[])[], align: readonly ('left' | 'right')[] = []): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (align[i] === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
