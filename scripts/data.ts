/**
 * The two real data sets the demo, the report and the application tests run on, read from the
 * CSV copies in `data/` (see `data/README.md` for their sources and licences).
 *
 * Provides a dependency-free CSV reader for numeric tables with a header row, standardisation
 * with TRAINING statistics only (the test rows are transformed with the training mean and
 * standard deviation, never their own), and the fixed splits everything in the project uses:
 *
 *   breast cancer  569 rows × 30 features, label `benign`. Rows are permuted by
 *                  `createRandom(2017).sampleWithoutReplacement(569, 569)`; the first 400
 *                  permuted rows are the training set, the other 169 the test set. (The file's own
 *                  order is not random — 57 % benign in its first 400 rows against 77 % in the
 *                  rest — hence the seeded shuffle.)
 *   digits         1797 rows × 64 pixels (0–16), label 0–9. Rows are permuted by
 *                  `createRandom(1998)`; the first 1200 permuted rows train, the other 597 test.
 *
 * Lives outside the library (it uses node:fs); the library itself never reads files.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRandom } from '../src/linalg/random.js';

/** A numeric table: row-major features, integer labels, and the column names. */
export interface Table {
  /** rows × features, row-major. */
  readonly features: Float64Array;
  readonly labels: Int32Array;
  readonly rows: number;
  readonly columns: number;
  readonly featureNames: readonly string[];
}

/** A train/test split with standardised features. */
export interface Split {
  readonly train: Table;
  readonly test: Table;
  /** Training mean and standard deviation per feature (what both halves were standardised with). */
  readonly mean: Float64Array;
  readonly std: Float64Array;
  /** The permutation applied to the file's rows before splitting (original row indices). */
  readonly order: Int32Array;
}

/** The `data/` directory of this checkout. */
export const DATA_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), '..', 'data');

/**
 * Parses a CSV of numbers with one header row; the column named `labelColumn` becomes the integer
 * labels and every other column a feature. Throws on a ragged row or a non-numeric cell, naming
 * the line.
 */
export function parseCsv(text: string, labelColumn: string): Table {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((name) => name.trim());
  const labelAt = header.indexOf(labelColumn);
  if (labelAt < 0)
    throw new Error(`parseCsv: no column named ${JSON.stringify(labelColumn)} in the header (${header.join(', ')})`);
  const rows = lines.length - 1;
  const columns = header.length - 1;
  const features = new Float64Array(rows * columns);
  const labels = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const cells = lines[r + 1]!.split(',');
    if (cells.length !== header.length) {
      throw new Error(`parseCsv: line ${r + 2} has ${cells.length} cells, the header ${header.length}`);
    }
    let c = 0;
    for (let k = 0; k < cells.length; k++) {
      const value = Number(cells[k]);
      if (cells[k]!.trim() === '' || !Number.isFinite(value))
        throw new Error(`parseCsv: line ${r + 2}, column ${header[k]}: ${JSON.stringify(cells[k])} is not a number`);
      if (k === labelAt) {
        if (!Number.isInteger(value)) throw new Error(`parseCsv: line ${r + 2}: label ${value} is not an integer`);
        labels[r] = value;
      } else features[r * columns + c++] = value;
    }
  }
  return { features, labels, rows, columns, featureNames: header.filter((_, k) => k !== labelAt) };
}

/** Reads `data/<file>` and parses it. */
export function readCsv(file: string, labelColumn: string): Table {
  return parseCsv(readFileSync(join(DATA_DIRECTORY, file), 'utf8'), labelColumn);
}

/** The rows of `table` at `indices`, in that order. */
export function selectRows(table: Table, indices: ArrayLike<number>): Table {
  const d = table.columns;
  const features = new Float64Array(indices.length * d);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    features.set(table.features.subarray(r * d, (r + 1) * d), i * d);
    labels[i] = table.labels[r]!;
  }
  return { features, labels, rows: indices.length, columns: d, featureNames: table.featureNames };
}

/**
 * Standardises with the training statistics: x ↦ (x − μ_train)/σ_train per feature. A constant
 * training feature (σ = 0, e.g. a digits border pixel that is always 0) gets σ = 1, so it maps
 * to 0 − μ and never divides by zero.
 */
export function standardise(
  train: Table,
  test: Table,
): { train: Table; test: Table; mean: Float64Array; std: Float64Array } {
  const d = train.columns;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let r = 0; r < train.rows; r++) for (let c = 0; c < d; c++) mean[c]! += train.features[r * d + c]! / train.rows;
  for (let r = 0; r < train.rows; r++)
    for (let c = 0; c < d; c++) std[c]! += (train.features[r * d + c]! - mean[c]!) ** 2 / train.rows;
  for (let c = 0; c < d; c++) std[c] = std[c]! > 0 ? Math.sqrt(std[c]!) : 1;
  const apply = (t: Table): Table => ({
    ...t,
    features: t.features.map((x, k) => (x - mean[k % d]!) / std[k % d]!),
  });
  return { train: apply(train), test: apply(test), mean, std };
}

/** Permutes the rows by a seeded shuffle, takes the first `trainRows` for training, standardises. */
export function seededSplit(table: Table, trainRows: number, seed: number): Split {
  const order = createRandom(seed).sampleWithoutReplacement(table.rows, table.rows);
  const { train, test, mean, std } = standardise(
    selectRows(table, order.subarray(0, trainRows)),
    selectRows(table, order.subarray(trainRows)),
  );
  return { train, test, mean, std, order };
}

/** Breast cancer, 400 train / 169 test (seeded shuffle 2017), standardised; label 1 = benign. */
export function breastCancer(): Split {
  return seededSplit(readCsv('breast-cancer.csv', 'benign'), 400, 2017);
}

/** Digits, 1200 train / 597 test (seeded shuffle 1998), standardised; labels 0–9. */
export function digits(): Split {
  return seededSplit(readCsv('digits.csv', 'label'), 1200, 1998);
}
