"""Confidence intervals for survey scores, in pure Python.

Reports need a handful of quantiles and intervals over SQL aggregates (count, sum, sum of
squares); pulling numpy/scipy into the web app for that is not worth it, so the few special
functions needed live here, built only on the standard library.
"""

import math
from collections.abc import Sequence
from functools import lru_cache

__all__ = ["mean_ci", "mean_ci_from_values", "normal_quantile", "t_quantile", "wilson"]

# Acklam's rational approximation of the normal quantile (relative error < 1.15e-9).
_ACKLAM_A = (
    -3.969683028665376e01,
    2.209460984245205e02,
    -2.759285104469687e02,
    1.383577518672690e02,
    -3.066479806614716e01,
    2.506628277459239e00,
)
_ACKLAM_B = (
    -5.447609879822406e01,
    1.615858368580409e02,
    -1.556989798598866e02,
    6.680131188771972e01,
    -1.328068155288572e01,
)
_ACKLAM_C = (
    -7.784894002430293e-03,
    -3.223964580411365e-01,
    -2.400758277161838e00,
    -2.549732539343734e00,
    4.374664141464968e00,
    2.938163982698783e00,
)
_ACKLAM_D = (
    7.784695709041462e-03,
    3.224671290700398e-01,
    2.445134137142996e00,
    3.754408661907416e00,
)
_ACKLAM_P_LOW = 0.02425

_SQRT2 = math.sqrt(2.0)
_SQRT2PI = math.sqrt(2.0 * math.pi)
_LGAMMA_HALF = 0.5 * math.log(math.pi)

# The Cornish-Fisher series of the t quantile in 1/df, cut after the 1/df^4 term, has a
# relative error of about 1e-4 * (z^2/df)^5 (plus ~0.05/df^5 for small z). Where that is
# below ~1e-14 it is used as is: the continued fraction below loses ~df * 1e-16 there.
_CORNISH_FISHER_MIN_DF = 1000
_CORNISH_FISHER_MAX_Z2_PER_DF = 0.01
# Beyond this the t and normal quantiles agree to the last bit (and df may not fit a float).
_NORMAL_MIN_DF = 1e300

# Bernoulli-number series of lgamma(x) - ((x - 1/2) log x - x + log(2 pi)/2) in 1/x^2,
# highest order first.
_STIRLING_SERIES = (
    1.0 / 156.0,
    -691.0 / 360360.0,
    1.0 / 1188.0,
    -1.0 / 1680.0,
    1.0 / 1260.0,
    -1.0 / 360.0,
    1.0 / 12.0,
)

_LENTZ_EPS = 1e-16
_LENTZ_TINY = 1e-300
_LENTZ_MAX_ITER = 10_000


def _horner(coeffs: Sequence[float], x: float) -> float:
    acc = 0.0
    for c in coeffs:
        acc = acc * x + c
    return acc


def normal_quantile(p: float) -> float:
    """Standard normal quantile, for large-df t quantiles and z-based intervals.

    Acklam's approximation polished by one Halley step on ``math.erf``/``math.erfc``; the
    residual is formed around 0.5 or in the nearer tail so the result keeps ~1e-15 relative
    precision everywhere down to p ~ 1e-300.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be in (0, 1), got {p!r}")
    if _ACKLAM_P_LOW <= p <= 1.0 - _ACKLAM_P_LOW:
        r = p - 0.5
        r2 = r * r
        x = r * _horner(_ACKLAM_A, r2) / (_horner(_ACKLAM_B, r2) * r2 + 1.0)
        # Phi(x) - p written as (Phi(x) - 0.5) - (p - 0.5) keeps relative precision near 0.
        err = 0.5 * math.erf(x / _SQRT2) - r
    else:
        # Work in the nearer tail: 1 - p is exact for p > 0.5, and erfc does not cancel.
        upper = p > 0.5
        q = 1.0 - p if upper else p
        s = math.sqrt(-2.0 * math.log(q))
        x = _horner(_ACKLAM_C, s) / (_horner(_ACKLAM_D, s) * s + 1.0)
        err = 0.5 * math.erfc(-x / _SQRT2) - q
        if upper:
            x, err = -x, -err
    half_x2 = 0.5 * x * x
    if half_x2 < 700.0:  # the density would underflow past this; keep Acklam's estimate
        u = err * _SQRT2PI * math.exp(half_x2)
        x -= u / (1.0 + 0.5 * x * u)
    return x


def _stirling_delta(x: float) -> float:
    """lgamma(x) minus its Stirling approximation, for x >= 10 (error < 1e-16 there)."""
    r = 1.0 / x
    return r * _horner(_STIRLING_SERIES, r * r)


def _log_beta_half(a: float) -> float:
    """log B(a, 1/2), without the cancellation of lgamma differences when a is large."""
    if a < 10.0:
        return math.lgamma(a) + _LGAMMA_HALF - math.lgamma(a + 0.5)
    b = 0.5
    diff = (
        -(a - 0.5) * math.log1p(b / a)
        - b * math.log(a + b)
        + b
        + _stirling_delta(a)
        - _stirling_delta(a + b)
    )
    return _LGAMMA_HALF + diff


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz, as NR betacf)."""
    qab = a + b
    qap = a + 1.0
    qam = a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    if abs(d) < _LENTZ_TINY:
        d = _LENTZ_TINY
    d = 1.0 / d
    h = d
    for m in range(1, _LENTZ_MAX_ITER + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        if abs(d) < _LENTZ_TINY:
            d = _LENTZ_TINY
        c = 1.0 + aa / c
        if abs(c) < _LENTZ_TINY:
            c = _LENTZ_TINY
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        if abs(d) < _LENTZ_TINY:
            d = _LENTZ_TINY
        c = 1.0 + aa / c
        if abs(c) < _LENTZ_TINY:
            c = _LENTZ_TINY
        d = 1.0 / d
        step = d * c
        h *= step
        if abs(step - 1.0) < _LENTZ_EPS:
            return h
    raise ArithmeticError(f"incomplete beta continued fraction did not converge (a={a}, b={b})")


def _log1p_sq(u: float) -> float:
    """log(1 + u^2) without overflowing u^2 for the huge t of heavy tails."""
    return math.log1p(u * u) if u < 1e150 else 2.0 * math.log(u)


def _t_probs(t: float, df: float) -> tuple[float, float]:
    """(P(T > t), P(|T| < t)) for t > 0, each accurate where it is the small one."""
    a = 0.5 * df
    u = t / math.sqrt(df)
    # With x = df / (df + t^2) and y = 1 - x, the logs are taken directly so that a*log(x)
    # does not amplify the rounding of x when df is large.
    log_x = -_log1p_sq(u)
    log_y = 2.0 * math.log(u) + log_x
    front = math.exp(a * log_x + 0.5 * log_y - _log_beta_half(a))
    x = math.exp(log_x)
    if x < (a + 1.0) / (a + 2.5):
        ix = front * _betacf(a, 0.5, x) / a
        return 0.5 * ix, 1.0 - ix
    iy = front * _betacf(0.5, a, u * u / (1.0 + u * u)) / 0.5
    return 0.5 * (1.0 - iy), iy


def _t_log_density(t: float, df: float) -> float:
    u = t / math.sqrt(df)
    return -0.5 * (df + 1.0) * _log1p_sq(u) - 0.5 * math.log(df) - _log_beta_half(0.5 * df)


def _cornish_fisher(z: float, df: float) -> float:
    """t quantile from the normal one as a series in 1/df (Abramowitz & Stegun 26.7.5)."""
    z2 = z * z
    g1 = (z2 + 1.0) * z / 4.0
    g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0
    g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0
    g4 = ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0
    return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df


def _solve_t(df: float, target: float, central: bool, guess: float) -> float:
    """Positive t with P(|T| < t) = target (central) or P(T > t) = target.

    Newton on log t against the log probability: both are nearly linear there (power-law
    tails, linear centre), so it converges in a few steps; bisection keeps it safe.
    """
    log_target = math.log(target)

    def g(s: float) -> tuple[float, float]:
        # Increasing in s = log t, zero at the root; also returns the derivative.
        t = math.exp(s)
        tail, cen = _t_probs(t, df)
        prob = cen if central else tail
        if prob <= 0.0:
            return (-math.inf if central else math.inf), math.nan
        slope = math.exp(s + _t_log_density(t, df)) / prob
        value = math.log(prob) - log_target
        return (value, slope) if central else (-value, slope)

    s_max = 709.0  # exp() overflows beyond this
    s = math.log(guess)
    value, slope = g(s)
    if value == 0.0:
        return guess
    # Bracket the root, widening geometrically in s from the guess.
    step = math.log(2.0)
    if value < 0.0:
        lo, hi = s, s + step
        while g(hi)[0] < 0.0:
            if hi >= s_max:
                return math.inf
            lo, step = hi, 2.0 * step
            hi = min(hi + step, s_max)
    else:
        lo, hi = s - step, s
        while g(lo)[0] > 0.0:
            hi, step = lo, 2.0 * step
            lo -= step
    for _ in range(200):
        if math.isfinite(value) and slope > 0.0:
            s_new = s - value / slope
            if not lo < s_new < hi:
                s_new = 0.5 * (lo + hi)
        else:
            s_new = 0.5 * (lo + hi)
        if abs(s_new - s) <= 1e-15 or hi - lo <= 1e-15:
            s = s_new
            break
        s = s_new
        value, slope = g(s)
        if value == 0.0:
            break
        if value < 0.0:
            lo = s
        else:
            hi = s
    return math.exp(s)


@lru_cache(maxsize=4096)  # a ranking asks for the same few (p, df) pairs again and again
def t_quantile(p: float, df: int) -> float:
    """Student's t quantile, the multiplier behind small-sample confidence intervals.

    df need not be an integer. Accurate to ~1e-13 relative or better.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be in (0, 1), got {p!r}")
    if not df >= 1:
        raise ValueError(f"df must be >= 1, got {df!r}")
    if p == 0.5:
        return 0.0
    if df == 1:
        # Cauchy: tan(pi*(p - 1/2)), rewritten as a cotangent in the tails to avoid the pole.
        if p < 0.25:
            return -1.0 / math.tan(math.pi * p)
        if p > 0.75:
            return 1.0 / math.tan(math.pi * (1.0 - p))
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2.0 * p - 1.0) / math.sqrt(2.0 * p * (1.0 - p))
    sign = 1.0 if p > 0.5 else -1.0
    q = 1.0 - p if p > 0.5 else p  # upper-tail probability of |t|; exact in both branches
    z = -normal_quantile(q)
    if df >= _NORMAL_MIN_DF:
        return sign * z
    nu = float(df)
    estimate = _cornish_fisher(z, nu)
    if nu >= _CORNISH_FISHER_MIN_DF and z * z < _CORNISH_FISHER_MAX_Z2_PER_DF * nu:
        return sign * estimate
    guess = estimate if math.isfinite(estimate) and estimate > 0.0 else 1.0
    if q >= 0.25:
        # Near the centre aim at P(|T| < t) = |2p - 1|, which is exact here, rather than at
        # a tail probability near 1/2 whose difference would cancel.
        return sign * _solve_t(nu, abs(2.0 * p - 1.0), True, guess)
    return sign * _solve_t(nu, q, False, guess)


def _clip(value: float, lo: float, hi: float) -> float:
    return min(max(value, lo), hi)


def _t_interval(
    n: int, mean: float, variance: float, level: float, lo: float, hi: float
) -> tuple[float, float]:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    if lo > hi:
        raise ValueError(f"lo must not exceed hi, got lo={lo!r}, hi={hi!r}")
    if variance <= 0.0:
        half = 0.0
    else:
        half = t_quantile(0.5 + 0.5 * level, n - 1) * math.sqrt(variance / n)
    return _clip(mean - half, lo, hi), _clip(mean + half, lo, hi)


def mean_ci(
    n: int,
    total: float,
    total_sq: float,
    level: float = 0.95,
    lo: float = 0.0,
    hi: float = 100.0,
) -> tuple[float, float] | None:
    """t interval of a mean straight from SQL aggregates (COUNT, SUM, SUM of squares).

    Scores live on a bounded scale, so the interval is clipped to [lo, hi]. Returns None
    when n < 2, as one observation says nothing about spread.
    """
    if n < 2:
        return None
    mean = total / n
    # The one-pass formula can go slightly negative through rounding; spread is never < 0.
    variance = max(0.0, (total_sq - total * total / n) / (n - 1))
    return _t_interval(n, mean, variance, level, lo, hi)


def mean_ci_from_values(
    values: Sequence[float],
    level: float = 0.95,
    lo: float = 0.0,
    hi: float = 100.0,
) -> tuple[float, float] | None:
    """Same interval as :func:`mean_ci` from raw values, as a numerically stable reference.

    Uses the corrected two-pass variance, which does not suffer the cancellation of the
    sum-of-squares formula.
    """
    n = len(values)
    if n < 2:
        return None
    mean = math.fsum(values) / n
    deviations = [v - mean for v in values]
    correction = math.fsum(deviations)
    variance = (math.fsum(d * d for d in deviations) - correction * correction / n) / (n - 1)
    return _t_interval(n, mean, max(0.0, variance), level, lo, hi)


def wilson(successes: float, n: int, z: float = 1.959964) -> tuple[float, float] | None:
    """Wilson score interval for a proportion, which stays sensible near 0, 1 and small n.

    Returns None when n == 0, as there is no proportion to bound.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n!r}")
    if not z >= 0.0:
        raise ValueError(f"z must be >= 0, got {z!r}")
    if n == 0:
        return None
    if not 0.0 <= successes <= n:
        raise ValueError(f"successes must be in [0, n], got {successes!r} with n={n!r}")
    p = successes / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom
    # The exact interval always contains p; min/max undo rounding that could exclude it
    # (e.g. a lower bound of 1e-17 at p = 0).
    return max(0.0, min(centre - half, p)), min(1.0, max(centre + half, p))
