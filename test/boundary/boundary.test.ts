/**
 * The boundary suite: every export of the package, tried with the inputs a plain-JavaScript user
 * can send by mistake (see harness.ts for what is generated and what is asserted), plus the
 * memory guarantees on valid calls. A new export must be enrolled in one of the tables.
 */
import { describe, expect, it } from 'vitest';
import * as tapegrad from '../../src/index.js';
import { add, grad, mul, scalar, sum, square, tensor } from '../../src/index.js';
import { checkValidCall, expectPolicyError, generatedCases, thrown, type Entry } from './harness.js';
import { autodiffEntries } from './autodiff.table.js';
import { tensorEntries } from './tensor.table.js';
import { hessianEntries } from './hessian.table.js';
import { solverEntries } from './solvers.table.js';
import { applicationEntries } from './applications.table.js';
import { moreOpEntries } from './more-ops.table.js';
import { jitEntries } from './jit.table.js';

const entries: Entry[] = [
  ...tensorEntries,
  ...autodiffEntries,
  ...moreOpEntries,
  ...hessianEntries,
  ...solverEntries,
  ...applicationEntries,
  ...jitEntries,
];

/** Exports that are values rather than functions; each must be frozen so no user can change it. */
const CONSTANTS = ['HVP_MODES', 'DOWNDATE_THRESHOLD'];

describe('enrolment', () => {
  it('every exported function and class has an entry', () => {
    const enrolled = new Set(entries.map((e) => e.name.split(/[.(]/)[0]));
    const missing = Object.keys(tapegrad).filter((name) => !CONSTANTS.includes(name) && !enrolled.has(name));
    expect(missing, 'enrol these exports in a table under test/boundary').toEqual([]);
  });

  it('entry names are unique', () => {
    const names = entries.map((e) => e.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('exported constants cannot be changed', () => {
    for (const name of CONSTANTS) {
      const value = (tapegrad as Record<string, unknown>)[name];
      if (typeof value === 'object' && value !== null) expect(Object.isFrozen(value), name).toBe(true);
    }
  });
});

for (const entry of entries) {
  describe(entry.name, () => {
    const fn = entry.fn ?? entry.name;
    if (entry.noValidCall === undefined) {
      it('a valid call works, mutates nothing and hands out no live state', () => {
        checkValidCall(entry);
      });
    }
    const cases = generatedCases(entry);
    for (const c of cases) {
      const accepted = entry.accepts?.[c.label];
      if (accepted !== undefined) {
        it(`accepts ${c.label} (${accepted})`, () => {
          const result = thrown(() => entry.call(...c.args()));
          expect(result, `${fn} documents ${c.label} as valid`).toBeUndefined();
        });
        continue;
      }
      it(`refuses ${c.label}`, () => {
        expectPolicyError(
          thrown(() => entry.call(...c.args())),
          fn,
          c.label,
          c.quoted,
        );
      });
    }
    for (const c of entry.cases ?? []) {
      it(`refuses ${c.label}`, () => {
        expectPolicyError(
          thrown(() => entry.call(...c.args())),
          fn,
          c.label,
          undefined,
          c.error,
          c.message,
        );
      });
    }
  });
}

describe('the memory check of an entry without a probe compares the result by value', () => {
  const entry = (call: (a: Float64Array) => unknown): Entry => ({
    name: 'example',
    valid: () => [new Float64Array([1, 2])],
    call: (a) => call(a as Float64Array),
    params: [],
  });

  it('a result that is, or holds, the array it was given is caught', () => {
    const changed = /writing into returned or given arrays changed the result/;
    expect(() => checkValidCall(entry((a) => a))).toThrow(changed);
    expect(() => checkValidCall(entry((a) => ({ x: a, n: 2 })))).toThrow(changed);
    expect(() => checkValidCall(entry((a) => [a]))).toThrow(changed);
  });

  it('results that copy pass: a tensor, a fresh array, a plain object of them', () => {
    checkValidCall(entry((a) => tensor(a)));
    checkValidCall(entry((a) => Float64Array.from(a)));
    checkValidCall(entry((a) => ({ t: tensor(a), x: Float64Array.from(a), n: a[0] })));
  });
});

describe('after every bad call above, the process is unharmed', () => {
  it('small tensors, literals and gradients still compute correctly', () => {
    expect(add(scalar(1), scalar(2)).item()).toBe(3);
    expect(mul(2, tensor([1])).item()).toBe(2);
    expect(Array.from(grad((x: tapegrad.Tensor) => sum(square(x)))(tensor([1, 2])).toArray())).toEqual([2, 4]);
  });
});
