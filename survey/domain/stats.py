"""Confidence intervals for survey scores.

Reports need a handful of quantiles and intervals over SQL aggregates (count, sum, sum of
squares). The special functions come from libraries that are tested for them: the Student-t
quantile from ``scipy.special`` (Boost.Math since SciPy 1.17) and the normal quantile from
the standard library's ``statistics.NormalDist``. What is left here is the interval
arithmetic and the validation the callers rely on.
"""

import math
from collections.abc import Sequence
from functools import lru_cache
from statistics import NormalDist

__all__ = ["mean_ci", "mean_ci_from_values", "normal_quantile", "t_quantile", "wilson"]

_STANDARD_NORMAL = NormalDist()
# Past this the t quantile differs from the normal one by (1 + z^2) / (4 df) < 1e-17 relative
# for every p > 1e-300 (|z| < 38): the normal quantile is exact to the last bit, and df may
# be an int too large for a float.
_NORMAL_MIN_DF = 1e20


def normal_quantile(p: float) -> float:
    """Standard normal quantile, for z-based intervals.

    ``statistics.NormalDist().inv_cdf`` (Wichura's AS 241, ~1e-16 relative down to
    p ~ 1e-300). Raises ValueError unless 0 < p < 1.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be in (0, 1), got {p!r}")
    return _STANDARD_NORMAL.inv_cdf(p)


@lru_cache(maxsize=4096)  # a ranking asks for the same few (p, df) pairs again and again
def t_quantile(p: float, df: int) -> float:
    """Student's t quantile, the multiplier behind small-sample confidence intervals.

    df need not be an integer. Accurate to ~1e-14 relative for p down to ~1e-200
    (tests/unit/test_stats_scipy.py checks it against closed forms and SciPy).
    Raises ValueError unless 0 < p < 1 and df >= 1.

    Tails (p < 1/4 or p > 3/4): ``scipy.special.stdtrit``. Centre: SciPy 1.17's stdtrit
    loses accuracy within ~0.05 of p = 1/2 (df = 4 answers 0 within 1e-8 of it), so there
    the quantile comes from P(|T| < t) = I_x(1/2, df/2), x = t^2 / (df + t^2)
    (Abramowitz & Stegun 26.7.1), with |2p - 1| exact and x <= 1/2.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be in (0, 1), got {p!r}")
    if not df >= 1:
        raise ValueError(f"df must be >= 1, got {df!r}")
    if p == 0.5:
        return 0.0
    if df >= _NORMAL_MIN_DF:
        return normal_quantile(p)
    # SciPy (numpy with it) costs a worker 170 ms and ~40 MB: loaded at the first interval, not
    # at start-up (docs/architecture.md, heavy libraries).
    import scipy.special

    nu = float(df)
    if 0.25 <= p <= 0.75:
        x = float(scipy.special.betaincinv(0.5, 0.5 * nu, abs(2.0 * p - 1.0)))
        return math.copysign(math.sqrt(nu * x / (1.0 - x)), p - 0.5)
    t = float(scipy.special.stdtrit(nu, p))
    if math.isnan(t) or (t > 0.0) != (p > 0.5):
        # SciPy 1.17 answers +inf for lower-tail p below ~1e-238 (scipy/scipy#25968).
        raise ArithmeticError(f"no reliable t quantile for p={p!r}, df={df!r} (got {t!r})")
    return t


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

    mean ± t(1/2 + level/2, n - 1) · s / √n with s² the sample variance (Student 1908), in
    the units of the values. Scores live on a bounded scale, so the interval is clipped to
    [lo, hi]. Returns None when n < 2, as one observation says nothing about spread.
    Raises ValueError unless 0 < level < 1 and lo <= hi.
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

    Uses the corrected two-pass variance (Björck; Chan, Golub & LeVeque 1983), which does
    not suffer the cancellation of the sum-of-squares formula.
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

    Wilson (1927), JASA 22:209: (p + z²/2n ± z·√(p(1-p)/n + z²/4n²)) / (1 + z²/n), as a
    pair of proportions in [0, 1]. Returns None when n == 0, as there is no proportion to
    bound. Raises ValueError when n < 0, z < 0 or successes is outside [0, n].
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
