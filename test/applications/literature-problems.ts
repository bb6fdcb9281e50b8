/**
 * Unconstrained test problems from the literature, written with tapegrad's public ops.
 *
 * The collection is Moré, Garbow & Hillstrom, "Testing unconstrained optimization software",
 * ACM Transactions on Mathematical Software 7(1), 17–41 (1981) — "MGH" below, with its problem
 * numbers. Every problem is a sum of squares f(x) = Σᵢ fᵢ(x)², started from MGH's standard
 * point x₀; the functions fᵢ, the data, x₀ and the minima are MGH's unless a line says otherwise.
 *
 * MGH prints most minima to 6 significant digits, not enough for the test's 1e-8·max(1, |f*|).
 * Where more digits are needed they come from the GNU Scientific Library's test suite for the
 * same problems (`multifit_nlinear/test_<name>.c`, GSL 2.x; cited per problem as "GSL"), whose
 * values agree with MGH's to all the digits MGH prints; Meyer's is also NIST StRD's certified
 * residual sum of squares for MGH10 (8.7945855171E+01). One local minimum MGH does not print
 * (trigonometric, n = 10) is taken from Gonum's test set, as cited there.
 */
import {
  abs,
  add,
  atan2,
  concat,
  cos,
  div,
  dot,
  exp,
  hypot,
  index,
  less,
  log,
  matmul,
  mul,
  neg,
  sin,
  square,
  stack,
  sub,
  sum,
  take,
  tensor,
  where,
  type Tensor,
} from '../../src/index.js';

/** A minimum the literature lists: its value, and (when it lists one) where it lies. */
export interface ListedMinimum {
  readonly f: number;
  /** A point or a description, for the report. */
  readonly at: string;
  /** Global (the problem's optimum) or a local minimum that MGH lists for this start. */
  readonly kind: 'global' | 'local';
  readonly source: string;
}

export interface Problem {
  /** MGH's name and number. */
  readonly name: string;
  readonly n: number;
  readonly start: readonly number[];
  /** f(x) = Σ fᵢ(x)². */
  readonly f: (x: Tensor) => Tensor;
  readonly minima: readonly ListedMinimum[];
}

const el = (x: Tensor, i: number) => index(x, i);
/** Σ of the squares of every residual given (scalars or vectors). */
const sumOfSquares = (...residuals: Tensor[]): Tensor =>
  sum(
    square(
      concat(
        residuals.map((r) => (r.rank === 0 ? stack([r], 0) : r)),
        0,
      ),
    ),
  );
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
const MGH = 'MGH';
const zero = (at: string, source = MGH): ListedMinimum => ({ f: 0, at, kind: 'global', source });

/** (1) Rosenbrock. f1 = 10(x2 − x1²), f2 = 1 − x1; x₀ = (−1.2, 1); f* = 0 at (1, 1). */
const rosenbrock: Problem = {
  name: 'Rosenbrock (1)',
  n: 2,
  start: [-1.2, 1],
  f: (x) => sumOfSquares(mul(10, sub(el(x, 1), square(el(x, 0)))), sub(1, el(x, 0))),
  minima: [zero('(1, 1)')],
};

/** (2) Freudenstein and Roth; x₀ = (0.5, −2); f* = 0 at (5, 4), and the local minimum 48.9842 at (11.41…, −0.8968…). */
const freudensteinRoth: Problem = {
  name: 'Freudenstein–Roth (2)',
  n: 2,
  start: [0.5, -2],
  f: (x) => {
    const [x1, x2] = [el(x, 0), el(x, 1)];
    const f1 = add(-13, add(x1, mul(sub(mul(sub(5, x2), x2), 2), x2)));
    const f2 = add(-29, add(x1, mul(sub(mul(add(x2, 1), x2), 14), x2)));
    return sumOfSquares(f1, f2);
  },
  // 48.9842 in MGH; 48.9842536792400 in GSL test_roth.c.
  minima: [
    zero('(5, 4)'),
    { f: 48.98425367924, at: '(11.4128, −0.896805)', kind: 'local', source: 'MGH (48.9842); digits: GSL test_roth.c' },
  ],
};

/** (3) Powell badly scaled. f1 = 10⁴x1x2 − 1, f2 = e^−x1 + e^−x2 − 1.0001; x₀ = (0, 1); f* = 0 at (1.098…e−5, 9.106…). */
const powellBadlyScaled: Problem = {
  name: 'Powell badly scaled (3)',
  n: 2,
  start: [0, 1],
  f: (x) => {
    const [x1, x2] = [el(x, 0), el(x, 1)];
    return sumOfSquares(sub(mul(1e4, mul(x1, x2)), 1), sub(add(exp(neg(x1)), exp(neg(x2))), 1.0001));
  },
  minima: [zero('(1.098e−5, 9.106)')],
};

/** (4) Brown badly scaled. f1 = x1 − 10⁶, f2 = x2 − 2·10⁻⁶, f3 = x1x2 − 2; x₀ = (1, 1); f* = 0 at (10⁶, 2·10⁻⁶). */
const brownBadlyScaled: Problem = {
  name: 'Brown badly scaled (4)',
  n: 2,
  start: [1, 1],
  f: (x) => {
    const [x1, x2] = [el(x, 0), el(x, 1)];
    return sumOfSquares(sub(x1, 1e6), sub(x2, 2e-6), sub(mul(x1, x2), 2));
  },
  minima: [zero('(1e6, 2e−6)')],
};

/** (5) Beale. fᵢ = yᵢ − x1(1 − x2ⁱ), y = (1.5, 2.25, 2.625); x₀ = (1, 1); f* = 0 at (3, 0.5). */
const beale: Problem = {
  name: 'Beale (5)',
  n: 2,
  start: [1, 1],
  f: (x) => {
    const [x1, x2] = [el(x, 0), el(x, 1)];
    const powers = stack([x2, square(x2), mul(x2, square(x2))], 0);
    return sumOfSquares(sub(tensor([1.5, 2.25, 2.625]), mul(x1, sub(1, powers))));
  },
  minima: [zero('(3, 0.5)')],
};

/** (6) Jennrich and Sampson, m = 10. fᵢ = 2 + 2i − (e^{i·x1} + e^{i·x2}); x₀ = (0.3, 0.4); f* = 124.362 at x1 = x2 = 0.2578. */
const jennrichSampson: Problem = {
  name: 'Jennrich–Sampson (6)',
  n: 2,
  start: [0.3, 0.4],
  f: (x) => {
    const i = tensor(range(1, 10));
    return sumOfSquares(sub(add(2, mul(2, i)), add(exp(mul(i, el(x, 0))), exp(mul(i, el(x, 1))))));
  },
  // 124.362 in MGH; 1.243621823556148e+02 in GSL test_jennrich.c.
  minima: [
    {
      f: 124.3621823556148,
      at: '(0.2578, 0.2578)',
      kind: 'global',
      source: 'MGH (124.362); digits: GSL test_jennrich.c',
    },
  ],
};

/**
 * (7) Helical valley. f1 = 10(x3 − 10θ), f2 = 10(√(x1² + x2²) − 1), f3 = x3, with
 * 2πθ = arctan(x2/x1) for x1 > 0 and arctan(x2/x1) + π for x1 < 0 — atan2 shifted to (−π/2, 3π/2);
 * x₀ = (−1, 0, 0); f* = 0 at (1, 0, 0).
 */
const helicalValley: Problem = {
  name: 'Helical valley (7)',
  n: 3,
  start: [-1, 0, 0],
  f: (x) => {
    const [x1, x2, x3] = [el(x, 0), el(x, 1), el(x, 2)];
    const angle = div(atan2(x2, x1), 2 * Math.PI);
    const theta = where(less(angle, -0.25), add(angle, 1), angle);
    return sumOfSquares(mul(10, sub(x3, mul(10, theta))), mul(10, sub(hypot(x1, x2), 1)), x3);
  },
  minima: [zero('(1, 0, 0)')],
};

/** (8) Bard. fᵢ = yᵢ − (x1 + uᵢ/(vᵢx2 + wᵢx3)), uᵢ = i, vᵢ = 16 − i, wᵢ = min(uᵢ, vᵢ); x₀ = (1, 1, 1). */
const bard: Problem = (() => {
  const y = tensor([0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.1, 4.39]);
  const u = tensor(range(1, 15));
  const v = tensor(range(1, 15).map((i) => 16 - i));
  const w = tensor(range(1, 15).map((i) => Math.min(i, 16 - i)));
  return {
    name: 'Bard (8)',
    n: 3,
    start: [1, 1, 1],
    f: (x: Tensor) => sumOfSquares(sub(y, add(el(x, 0), div(u, add(mul(v, el(x, 1)), mul(w, el(x, 2))))))),
    // 8.21487e-3 in MGH; 8.214877306578963e-03 in GSL test_bard.c. MGH also lists 17.4286 at (0.8406, −∞, −∞).
    minima: [
      {
        f: 8.214877306578963e-3,
        at: '(0.0824, 1.133, 2.344)',
        kind: 'global',
        source: 'MGH (8.21487e−3); digits: GSL test_bard.c',
      },
    ],
  };
})();

/** (9) Gaussian. fᵢ = x1·exp(−x2(tᵢ − x3)²/2) − yᵢ, tᵢ = (8 − i)/2; x₀ = (0.4, 1, 0); f* = 1.12793e−8. */
const gaussian: Problem = (() => {
  const y = tensor([
    0.0009, 0.0044, 0.0175, 0.054, 0.1295, 0.242, 0.3521, 0.3989, 0.3521, 0.242, 0.1295, 0.054, 0.0175, 0.0044, 0.0009,
  ]);
  const t = tensor(range(1, 15).map((i) => (8 - i) / 2));
  return {
    name: 'Gaussian (9)',
    n: 3,
    start: [0.4, 1, 0],
    f: (x: Tensor) => sumOfSquares(sub(mul(el(x, 0), exp(mul(-0.5, mul(el(x, 1), square(sub(t, el(x, 2))))))), y)),
    // 1.12793e-8 in MGH; 1.12793276961871985e-08 in GSL test_gaussian.c.
    minima: [
      {
        f: 1.12793276961871985e-8,
        at: '(0.3990, 1.0000, 0)',
        kind: 'global',
        source: 'MGH (1.12793e−8); digits: GSL test_gaussian.c',
      },
    ],
  };
})();

/** (10) Meyer. fᵢ = x1·exp(x2/(tᵢ + x3)) − yᵢ, tᵢ = 45 + 5i; x₀ = (0.02, 4000, 250); f* = 87.9458. */
const meyer: Problem = (() => {
  const y = tensor([
    34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744, 8261, 7030, 6005, 5147, 4427, 3820, 3307, 2872,
  ]);
  const t = tensor(range(1, 16).map((i) => 45 + 5 * i));
  return {
    name: 'Meyer (10)',
    n: 3,
    start: [0.02, 4000, 250],
    f: (x: Tensor) => sumOfSquares(sub(mul(el(x, 0), exp(div(el(x, 1), add(t, el(x, 2))))), y)),
    // 87.9458 in MGH; 8.794585517053883e+01 in GSL test_meyer.c; NIST StRD MGH10: 8.7945855171E+01.
    minima: [
      {
        f: 87.94585517053883,
        at: '(0.005610, 6181, 345.2)',
        kind: 'global',
        source: 'MGH (87.9458); digits: GSL test_meyer.c, NIST StRD MGH10',
      },
    ],
  };
})();

/**
 * (11) Gulf research and development, m = 99 (MGH allows n ≤ m ≤ 100; tᵢ = i/100 makes i = 100 a
 * zero residual). fᵢ = exp(−|yᵢ − x2|^x3 / x1) − tᵢ, yᵢ = 25 + (−50 ln tᵢ)^(2/3); x₀ = (5, 2.5, 0.15);
 * f* = 0 at (50, 25, 1.5).
 */
const gulf: Problem = (() => {
  const ts = range(1, 99).map((i) => i / 100);
  const t = tensor(ts);
  const y = tensor(ts.map((ti) => 25 + (-50 * Math.log(ti)) ** (2 / 3)));
  return {
    name: 'Gulf R&D (11)',
    n: 3,
    start: [5, 2.5, 0.15],
    f: (x: Tensor) => sumOfSquares(sub(exp(neg(div(exp(mul(el(x, 2), log(abs(sub(y, el(x, 1)))))), el(x, 0)))), t)),
    minima: [zero('(50, 25, 1.5)')],
  };
})();

/** (12) Box three-dimensional, m = 10. fᵢ = e^{−tᵢx1} − e^{−tᵢx2} − x3(e^{−tᵢ} − e^{−10tᵢ}), tᵢ = 0.1i; x₀ = (0, 10, 20). */
const box3d: Problem = (() => {
  const ts = range(1, 10).map((i) => 0.1 * i);
  const t = tensor(ts);
  const c = tensor(ts.map((ti) => Math.exp(-ti) - Math.exp(-10 * ti)));
  return {
    name: 'Box 3-D (12)',
    n: 3,
    start: [0, 10, 20],
    f: (x: Tensor) => sumOfSquares(sub(sub(exp(mul(neg(t), el(x, 0))), exp(mul(neg(t), el(x, 1)))), mul(el(x, 2), c))),
    minima: [zero('(1, 10, 1), (10, 1, −1) or x1 = x2, x3 = 0')],
  };
})();

/** (13) Powell singular. f1 = x1 + 10x2, f2 = √5(x3 − x4), f3 = (x2 − 2x3)², f4 = √10(x1 − x4)²; x₀ = (3, −1, 0, 1); f* = 0 at 0. */
const powellSingular: Problem = {
  name: 'Powell singular (13)',
  n: 4,
  start: [3, -1, 0, 1],
  f: (x) => {
    const [x1, x2, x3, x4] = [0, 1, 2, 3].map((i) => el(x, i)) as [Tensor, Tensor, Tensor, Tensor];
    return sumOfSquares(
      add(x1, mul(10, x2)),
      mul(Math.sqrt(5), sub(x3, x4)),
      square(sub(x2, mul(2, x3))),
      mul(Math.sqrt(10), square(sub(x1, x4))),
    );
  },
  minima: [zero('(0, 0, 0, 0)')],
};

/** (14) Wood. f1 = 10(x2 − x1²), f2 = 1 − x1, f3 = √90(x4 − x3²), f4 = 1 − x3, f5 = √10(x2 + x4 − 2), f6 = (x2 − x4)/√10; x₀ = (−3, −1, −3, −1). */
const wood: Problem = {
  name: 'Wood (14)',
  n: 4,
  start: [-3, -1, -3, -1],
  f: (x) => {
    const [x1, x2, x3, x4] = [0, 1, 2, 3].map((i) => el(x, i)) as [Tensor, Tensor, Tensor, Tensor];
    return sumOfSquares(
      mul(10, sub(x2, square(x1))),
      sub(1, x1),
      mul(Math.sqrt(90), sub(x4, square(x3))),
      sub(1, x3),
      mul(Math.sqrt(10), sub(add(x2, x4), 2)),
      mul(1 / Math.sqrt(10), sub(x2, x4)),
    );
  },
  minima: [zero('(1, 1, 1, 1)')],
};

/** (15) Kowalik and Osborne. fᵢ = yᵢ − x1(uᵢ² + uᵢx2)/(uᵢ² + uᵢx3 + x4); x₀ = (0.25, 0.39, 0.415, 0.39). */
const kowalikOsborne: Problem = (() => {
  const y = tensor([0.1957, 0.1947, 0.1735, 0.16, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246]);
  const us = [4, 2, 1, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625];
  const u = tensor(us);
  const u2 = tensor(us.map((v) => v * v));
  return {
    name: 'Kowalik–Osborne (15)',
    n: 4,
    start: [0.25, 0.39, 0.415, 0.39],
    f: (x: Tensor) =>
      sumOfSquares(sub(y, div(mul(el(x, 0), add(u2, mul(u, el(x, 1)))), add(add(u2, mul(u, el(x, 2))), el(x, 3))))),
    // 3.07505e-4 in MGH; 3.075056038492370e-04 in GSL test_kowalik.c. MGH also lists 1.02734e-3 at (+∞, −14.08, −∞, −∞).
    minima: [
      {
        f: 3.07505603849237e-4,
        at: '(0.1928, 0.1913, 0.1231, 0.1361)',
        kind: 'global',
        source: 'MGH (3.07505e−4); digits: GSL test_kowalik.c',
      },
    ],
  };
})();

/** (16) Brown and Dennis, m = 20. fᵢ = (x1 + tᵢx2 − e^tᵢ)² + (x3 + x4 sin tᵢ − cos tᵢ)², tᵢ = i/5; x₀ = (25, 5, −5, −1); f* = 85822.2. */
const brownDennis: Problem = (() => {
  const ts = range(1, 20).map((i) => i / 5);
  const t = tensor(ts);
  const et = tensor(ts.map(Math.exp));
  const st = tensor(ts.map(Math.sin));
  const ct = tensor(ts.map(Math.cos));
  return {
    name: 'Brown–Dennis (16)',
    n: 4,
    start: [25, 5, -5, -1],
    f: (x: Tensor) =>
      sumOfSquares(
        add(square(sub(add(el(x, 0), mul(t, el(x, 1))), et)), square(sub(add(el(x, 2), mul(el(x, 3), st)), ct))),
      ),
    // 85822.2 in MGH; 8.582220162635628e+04 in GSL test_brown1.c.
    minima: [
      {
        f: 85822.20162635628,
        at: '(−11.59, 13.20, −0.4034, 0.2368)',
        kind: 'global',
        source: 'MGH (85822.2); digits: GSL test_brown1.c',
      },
    ],
  };
})();

/**
 * (18) Biggs EXP6, m = 13. fᵢ = x3e^{−tᵢx1} − x4e^{−tᵢx2} + x6e^{−tᵢx5} − yᵢ, tᵢ = 0.1i,
 * yᵢ = e^{−tᵢ} − 5e^{−10tᵢ} + 3e^{−4tᵢ}; x₀ = (1, 2, 1, 1, 1, 1). MGH lists f* = 0 at
 * (1, 10, 1, 5, 4, 3) and the local minimum 5.65565e−3; the problem has further minima (f = 0 on
 * the permutations that swap the roles of the exponentials).
 */
const biggs: Problem = (() => {
  const ts = range(1, 13).map((i) => 0.1 * i);
  const t = tensor(ts);
  const y = tensor(ts.map((ti) => Math.exp(-ti) - 5 * Math.exp(-10 * ti) + 3 * Math.exp(-4 * ti)));
  return {
    name: 'Biggs EXP6 (18)',
    n: 6,
    start: [1, 2, 1, 1, 1, 1],
    f: (x: Tensor) => {
      const term = (a: number, b: number) => mul(el(x, a), exp(mul(neg(t), el(x, b))));
      return sumOfSquares(sub(add(sub(term(2, 0), term(3, 1)), term(5, 4)), y));
    },
    minima: [
      zero('(1, 10, 1, 5, 4, 3)'),
      { f: 5.65565e-3, at: 'MGH gives the value only', kind: 'local', source: 'MGH' },
    ],
  };
})();

/**
 * (20) Watson, n = 6, m = 31. For tᵢ = i/29, i = 1…29: fᵢ = Σⱼ₌₂ⁿ (j − 1)xⱼtᵢ^{j−2} − (Σⱼ₌₁ⁿ xⱼtᵢ^{j−1})² − 1;
 * f30 = x1, f31 = x2 − x1² − 1; x₀ = 0; f* = 2.28767e−3.
 */
const watson: Problem = (() => {
  const n = 6;
  const ts = range(1, 29).map((i) => i / 29);
  const derivative = tensor(ts.map((ti) => range(1, n).map((j) => (j === 1 ? 0 : (j - 1) * ti ** (j - 2)))));
  const powers = tensor(ts.map((ti) => range(1, n).map((j) => ti ** (j - 1))));
  return {
    name: 'Watson (20), n = 6',
    n,
    start: new Array<number>(n).fill(0),
    f: (x: Tensor) => {
      const x1 = el(x, 0);
      return sumOfSquares(
        sub(sub(matmul(derivative, x), square(matmul(powers, x))), 1),
        x1,
        sub(sub(el(x, 1), square(x1)), 1),
      );
    },
    // 2.28767e-3 in MGH; 2.287670053552372e-03 in GSL test_watson.c.
    minima: [
      {
        f: 2.287670053552372e-3,
        at: '(−0.0157, 1.012, −0.2330, 1.260, −1.514, 0.9930)',
        kind: 'global',
        source: 'MGH (2.28767e−3); digits: GSL test_watson.c',
      },
    ],
  };
})();

/** (21) Extended Rosenbrock, n = 10. f_{2i−1} = 10(x_{2i} − x_{2i−1}²), f_{2i} = 1 − x_{2i−1}; x₀ = (−1.2, 1, …); f* = 0 at 1. */
const extendedRosenbrock: Problem = (() => {
  const n = 10;
  const odd = range(0, n / 2 - 1).map((i) => 2 * i);
  const even = odd.map((i) => i + 1);
  return {
    name: 'Extended Rosenbrock (21), n = 10',
    n,
    start: range(1, n).map((j) => (j % 2 === 1 ? -1.2 : 1)),
    f: (x: Tensor) => {
      const a = take(x, odd, 0);
      return sumOfSquares(mul(10, sub(take(x, even, 0), square(a))), sub(1, a));
    },
    minima: [zero('(1, …, 1)')],
  };
})();

/** (23) Penalty I, n = 10, m = 11. fᵢ = √a(xᵢ − 1), f_{n+1} = Σxⱼ² − ¼, a = 10⁻⁵; x₀ = (1, 2, …, n); f* = 7.08765e−5 (n = 10). */
const penalty1: Problem = {
  name: 'Penalty I (23), n = 10',
  n: 10,
  start: range(1, 10),
  f: (x) => sumOfSquares(mul(Math.sqrt(1e-5), sub(x, 1)), sub(dot(x, x), 0.25)),
  // 7.08765e-5 in MGH; 7.08765146709037993e-05 in GSL test_penalty1.c.
  minima: [
    {
      f: 7.08765146709037993e-5,
      at: 'MGH gives the value only',
      kind: 'global',
      source: 'MGH (7.08765e−5); digits: GSL test_penalty1.c',
    },
  ],
};

/**
 * (24) Penalty II, n = 4, m = 8. f1 = x1 − 0.2; fᵢ = √a(e^{xᵢ/10} + e^{x_{i−1}/10} − yᵢ) for
 * 2 ≤ i ≤ n with yᵢ = e^{i/10} + e^{(i−1)/10}; fᵢ = √a(e^{x_{i−n+1}/10} − e^{−1/10}) for
 * n < i < 2n; f_{2n} = Σⱼ (n − j + 1)xⱼ² − 1; a = 10⁻⁵; x₀ = (½, …, ½); f* = 9.37629e−6 (n = 4).
 */
const penalty2: Problem = (() => {
  const n = 4;
  const a = Math.sqrt(1e-5);
  const y = tensor(range(2, n).map((i) => Math.exp(i / 10) + Math.exp((i - 1) / 10)));
  const weights = tensor(range(1, n).map((j) => n - j + 1));
  return {
    name: 'Penalty II (24), n = 4',
    n,
    start: new Array<number>(n).fill(0.5),
    f: (x: Tensor) => {
      const e = exp(div(x, 10));
      const later = take(e, range(1, n - 1), 0);
      const earlier = take(e, range(0, n - 2), 0);
      return sumOfSquares(
        sub(el(x, 0), 0.2),
        mul(a, sub(add(later, earlier), y)),
        mul(a, sub(later, Math.exp(-0.1))),
        sub(dot(weights, square(x)), 1),
      );
    },
    // 9.37629e-6 in MGH; 9.37629300735544219e-06 in GSL test_penalty2.c.
    minima: [
      {
        f: 9.37629300735544219e-6,
        at: 'MGH gives the value only',
        kind: 'global',
        source: 'MGH (9.37629e−6); digits: GSL test_penalty2.c',
      },
    ],
  };
})();

/** (25) Variably dimensioned, n = 10. fᵢ = xᵢ − 1, f_{n+1} = Σ j(xⱼ − 1), f_{n+2} = f_{n+1}²; x₀ = (1 − j/n); f* = 0 at 1. */
const variablyDimensioned: Problem = (() => {
  const n = 10;
  const j = tensor(range(1, n));
  return {
    name: 'Variably dimensioned (25), n = 10',
    n,
    start: range(1, n).map((k) => 1 - k / n),
    f: (x: Tensor) => {
      const s = dot(j, sub(x, 1));
      return sumOfSquares(sub(x, 1), s, square(s));
    },
    minima: [zero('(1, …, 1)')],
  };
})();

/**
 * (26) Trigonometric, n = 10. fᵢ = n − Σⱼ cos xⱼ + i(1 − cos xᵢ) − sin xᵢ; x₀ = (1/n, …); f* = 0.
 * From x₀, Newton methods reach a local minimum, f = 2.79506e−5 at (0.0552, 0.0568, 0.0588, 0.0610,
 * 0.0636, 0.0668, 0.2082, 0.1644, 0.0850, 0.0914); value and point as listed with MGH's problem in
 * Gonum's test set (gonum.org/v1/gonum/optimize/functions, Trigonometric: 2.795056121876575e−5).
 */
const trigonometric: Problem = (() => {
  const n = 10;
  const i = tensor(range(1, n));
  return {
    name: 'Trigonometric (26), n = 10',
    n,
    start: new Array<number>(n).fill(1 / n),
    f: (x: Tensor) => sumOfSquares(sub(add(sub(n, sum(cos(x))), mul(i, sub(1, cos(x)))), sin(x))),
    minima: [
      zero('several points'),
      {
        f: 2.795056121876575e-5,
        at: '(0.0552, …, 0.0914)',
        kind: 'local',
        source: 'Gonum optimize/functions (Trigonometric, n = 10)',
      },
    ],
  };
})();

/** The set, in MGH's order. */
export const PROBLEMS: readonly Problem[] = [
  rosenbrock,
  freudensteinRoth,
  powellBadlyScaled,
  brownBadlyScaled,
  beale,
  jennrichSampson,
  helicalValley,
  bard,
  gaussian,
  meyer,
  gulf,
  box3d,
  powellSingular,
  wood,
  kowalikOsborne,
  brownDennis,
  biggs,
  watson,
  extendedRosenbrock,
  penalty1,
  penalty2,
  variablyDimensioned,
  trigonometric,
];
