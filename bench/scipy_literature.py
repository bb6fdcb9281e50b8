"""The literature test set of test/applications/literature-problems.ts through SciPy.

Runs SciPy's Newton trust-region methods, minimize(method='trust-ncg') and
minimize(method='trust-krylov'), with Hessian-vector products (hessp) on the same problems from
the same standard starting points — Moré, Garbow & Hillstrom, "Testing unconstrained optimization
software", ACM TOMS 7(1), 1981 — and prints the same table as the tapegrad test: iterations (nit),
Hessian-vector products (nhev), gradient evaluations (njev), f reached, and whether f is within
1e-8·max(1, |f*|) of a minimum the literature lists for that start (f <= 1e-10 where f* = 0).

Gradients and Hessian-vector products are exact: each f is written once in SymPy and
differentiated symbolically. Optional to run; needs Python 3 with NumPy, SciPy and SymPy:

    python3 bench/scipy_literature.py              # SciPy's default options (gtol = 1e-5)
    python3 bench/scipy_literature.py --gtol 1e-10 # a tighter gradient tolerance
"""
import argparse
import math
import warnings

import numpy as np
import scipy
import sympy as sp
from scipy.optimize import minimize


def problem(name, n, start, residuals, minima):
    """residuals(x) returns the list of SymPy residuals f_i; f = sum f_i^2."""
    x = sp.symbols(f"x0:{n}", real=True)
    f = sum(r**2 for r in residuals(x))
    grad = [sp.diff(f, xi) for xi in x]
    hess = [[sp.diff(gi, xj) for xj in x] for gi in grad]
    f_num = sp.lambdify([x], f, "numpy")
    g_num = sp.lambdify([x], grad, "numpy")
    h_num = sp.lambdify([x], hess, "numpy")
    return {
        "name": name,
        "n": n,
        "start": np.array(start, dtype=float),
        "f": lambda v: float(f_num(v)),
        "grad": lambda v: np.array(g_num(v), dtype=float),
        "hessp": lambda v, p: np.array(h_num(v), dtype=float) @ p,
        "minima": minima,
    }


def r_(i, j):
    return range(i, j + 1)


def build():
    P = []
    P.append(problem("Rosenbrock (1)", 2, [-1.2, 1], lambda x: [10 * (x[1] - x[0] ** 2), 1 - x[0]], [0]))
    P.append(problem("Freudenstein–Roth (2)", 2, [0.5, -2], lambda x: [
        -13 + x[0] + ((5 - x[1]) * x[1] - 2) * x[1], -29 + x[0] + ((x[1] + 1) * x[1] - 14) * x[1]], [0, 48.98425367924]))
    P.append(problem("Powell badly scaled (3)", 2, [0, 1], lambda x: [
        1e4 * x[0] * x[1] - 1, sp.exp(-x[0]) + sp.exp(-x[1]) - 1.0001], [0]))
    P.append(problem("Brown badly scaled (4)", 2, [1, 1], lambda x: [x[0] - 1e6, x[1] - 2e-6, x[0] * x[1] - 2], [0]))
    P.append(problem("Beale (5)", 2, [1, 1], lambda x: [y - x[0] * (1 - x[1] ** i) for i, y in zip((1, 2, 3), (1.5, 2.25, 2.625))], [0]))
    P.append(problem("Jennrich–Sampson (6)", 2, [0.3, 0.4], lambda x: [
        2 + 2 * i - (sp.exp(i * x[0]) + sp.exp(i * x[1])) for i in r_(1, 10)], [124.3621823556148]))

    def helical(x):
        # MGH: 2πθ = arctan(x2/x1) for x1 > 0, arctan(x2/x1) + π for x1 < 0.
        angle = sp.atan2(x[1], x[0]) / (2 * sp.pi)
        theta = sp.Piecewise((angle + 1, angle < -sp.Rational(1, 4)), (angle, True))
        return [10 * (x[2] - 10 * theta), 10 * (sp.sqrt(x[0] ** 2 + x[1] ** 2) - 1), x[2]]
    P.append(problem("Helical valley (7)", 3, [-1, 0, 0], helical, [0]))

    bard_y = [0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39]
    P.append(problem("Bard (8)", 3, [1, 1, 1], lambda x: [
        bard_y[i - 1] - (x[0] + i / ((16 - i) * x[1] + min(i, 16 - i) * x[2])) for i in r_(1, 15)], [8.214877306578963e-3]))
    gauss_y = [0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989, 0.3521, 0.2420, 0.1295, 0.0540, 0.0175, 0.0044, 0.0009]
    P.append(problem("Gaussian (9)", 3, [0.4, 1, 0], lambda x: [
        x[0] * sp.exp(-x[1] * ((8 - i) / 2 - x[2]) ** 2 / 2) - gauss_y[i - 1] for i in r_(1, 15)], [1.12793276961871985e-8]))
    meyer_y = [34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744, 8261, 7030, 6005, 5147, 4427, 3820, 3307, 2872]
    P.append(problem("Meyer (10)", 3, [0.02, 4000, 250], lambda x: [
        x[0] * sp.exp(x[1] / (45 + 5 * i + x[2])) - meyer_y[i - 1] for i in r_(1, 16)], [87.94585517053883]))

    def gulf(x):
        out = []
        for i in r_(1, 99):
            t = i / 100
            y = 25 + (-50 * math.log(t)) ** (2 / 3)
            # |y − x2|^x3 as exp((x3/2)·log((y − x2)²)): the same away from y = x2, and twice differentiable.
            out.append(sp.exp(-sp.exp(x[2] / 2 * sp.log((y - x[1]) ** 2)) / x[0]) - t)
        return out
    P.append(problem("Gulf R&D (11)", 3, [5, 2.5, 0.15], gulf, [0]))
    P.append(problem("Box 3-D (12)", 3, [0, 10, 20], lambda x: [
        sp.exp(-0.1 * i * x[0]) - sp.exp(-0.1 * i * x[1]) - x[2] * (math.exp(-0.1 * i) - math.exp(-i)) for i in r_(1, 10)], [0]))
    P.append(problem("Powell singular (13)", 4, [3, -1, 0, 1], lambda x: [
        x[0] + 10 * x[1], math.sqrt(5) * (x[2] - x[3]), (x[1] - 2 * x[2]) ** 2, math.sqrt(10) * (x[0] - x[3]) ** 2], [0]))
    P.append(problem("Wood (14)", 4, [-3, -1, -3, -1], lambda x: [
        10 * (x[1] - x[0] ** 2), 1 - x[0], math.sqrt(90) * (x[3] - x[2] ** 2), 1 - x[2],
        math.sqrt(10) * (x[1] + x[3] - 2), (x[1] - x[3]) / math.sqrt(10)], [0]))
    ko_y = [0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246]
    ko_u = [4, 2, 1, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625]
    P.append(problem("Kowalik–Osborne (15)", 4, [0.25, 0.39, 0.415, 0.39], lambda x: [
        y - x[0] * (u * u + u * x[1]) / (u * u + u * x[2] + x[3]) for y, u in zip(ko_y, ko_u)], [3.07505603849237e-4]))
    P.append(problem("Brown–Dennis (16)", 4, [25, 5, -5, -1], lambda x: [
        (x[0] + i / 5 * x[1] - math.exp(i / 5)) ** 2 + (x[2] + x[3] * math.sin(i / 5) - math.cos(i / 5)) ** 2 for i in r_(1, 20)],
        [85822.20162635628]))

    def biggs(x):
        out = []
        for i in r_(1, 13):
            t = 0.1 * i
            y = math.exp(-t) - 5 * math.exp(-10 * t) + 3 * math.exp(-4 * t)
            out.append(x[2] * sp.exp(-t * x[0]) - x[3] * sp.exp(-t * x[1]) + x[5] * sp.exp(-t * x[4]) - y)
        return out
    P.append(problem("Biggs EXP6 (18)", 6, [1, 2, 1, 1, 1, 1], biggs, [0, 5.65565e-3]))

    def watson(x):
        n = 6
        out = []
        for i in r_(1, 29):
            t = i / 29
            s1 = sum((j - 1) * x[j - 1] * t ** (j - 2) for j in r_(2, n))
            s2 = sum(x[j - 1] * t ** (j - 1) for j in r_(1, n))
            out.append(s1 - s2**2 - 1)
        return out + [x[0], x[1] - x[0] ** 2 - 1]
    P.append(problem("Watson (20), n = 6", 6, [0] * 6, watson, [2.287670053552372e-3]))
    P.append(problem("Extended Rosenbrock (21), n = 10", 10, [-1.2, 1] * 5, lambda x: [
        e for k in range(5) for e in (10 * (x[2 * k + 1] - x[2 * k] ** 2), 1 - x[2 * k])], [0]))
    P.append(problem("Penalty I (23), n = 10", 10, list(r_(1, 10)), lambda x: [
        math.sqrt(1e-5) * (xi - 1) for xi in x] + [sum(xi**2 for xi in x) - 0.25], [7.08765146709037993e-5]))

    def penalty2(x):
        n, a = 4, math.sqrt(1e-5)
        out = [x[0] - 0.2]
        out += [a * (sp.exp(x[i - 1] / 10) + sp.exp(x[i - 2] / 10) - (math.exp(i / 10) + math.exp((i - 1) / 10))) for i in r_(2, n)]
        out += [a * (sp.exp(x[i - n] / 10) - math.exp(-0.1)) for i in r_(n + 1, 2 * n - 1)]
        out.append(sum((n - j + 1) * x[j - 1] ** 2 for j in r_(1, n)) - 1)
        return out
    P.append(problem("Penalty II (24), n = 4", 4, [0.5] * 4, penalty2, [9.37629300735544219e-6]))

    def vardim(x):
        s = sum((j + 1) * (x[j] - 1) for j in range(10))
        return [xi - 1 for xi in x] + [s, s**2]
    P.append(problem("Variably dimensioned (25), n = 10", 10, [1 - j / 10 for j in r_(1, 10)], vardim, [0]))

    def trig(x):
        n = 10
        c = sum(sp.cos(xi) for xi in x)
        return [n - c + i * (1 - sp.cos(x[i - 1])) - sp.sin(x[i - 1]) for i in r_(1, n)]
    P.append(problem("Trigonometric (26), n = 10", 10, [0.1] * 10, trig, [0, 2.795056121876575e-5]))
    return P


def reached(f, minima):
    return any(f <= 1e-10 if m == 0 else abs(f - m) <= 1e-8 * max(1, abs(m)) for m in minima)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gtol", type=float, default=None, help="gradient tolerance (SciPy's default 1e-5 if not given)")
    parser.add_argument("--maxiter", type=int, default=None, help="iteration limit (SciPy's default if not given)")
    args = parser.parse_args()
    options = {k: v for k, v in (("gtol", args.gtol), ("maxiter", args.maxiter)) if v is not None}
    print(f"SciPy {scipy.__version__}, options {options or 'default'}")
    print(f"{'problem':34} {'n':>2} {'method':12} {'nit':>5} {'nhev':>6} {'njev':>5} {'nfev':>5} {'f reached':>22}  ok  message")
    for p in build():
        for method in ("trust-ncg", "trust-krylov"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    r = minimize(p["f"], p["start"], jac=p["grad"], hessp=p["hessp"], method=method, options=options)
                except Exception as error:  # a method that raises on a problem is reported, not fatal
                    print(f"{p['name']:34} {p['n']:>2} {method:12} raised {type(error).__name__}: {error}")
                    continue
            f = p["f"](r.x)
            ok = "yes" if reached(f, p["minima"]) else "NO"
            print(f"{p['name']:34} {p['n']:>2} {method:12} {r.nit:>5} {getattr(r, 'nhev', 0):>6} {r.njev:>5} {r.nfev:>5} {f:>22.12g}  {ok:3} {r.message}")


if __name__ == "__main__":
    main()
