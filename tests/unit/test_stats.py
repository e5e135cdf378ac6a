"""Tests for survey.domain.stats: quantiles and intervals against published and exact values."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.domain.stats import (
    mean_ci,
    mean_ci_from_values,
    normal_quantile,
    t_quantile,
    wilson,
)

EPS = 2.0**-52

# Two-sided 95% critical values of Student's t as printed in standard tables.
T_975_TABLE = [
    (1, 12.706204736),
    (2, 4.302652730),
    (3, 3.182446305),
    (4, 2.776445105),
    (5, 2.570581836),
    (10, 2.228138852),
    (20, 2.085963447),
    (30, 2.042272456),
    (100, 1.983971519),
    (1000, 1.962339),
]

# (p, df, quantile) computed with mpmath at 40 digits from the regularized incomplete beta.
T_EXACT = [
    (0.975, 3, 3.1824463052837084359),
    (0.999, 5, 5.8934295313560089535),
    (1e-10, 3, -2225.7692846830931927),
    (0.6, 4, 0.270722294707597363),
    (0.9999, 20, 4.5385208537937094291),
    (0.7, 50, 0.52776045270659735851),
    (1e-50, 7, -27913914.483365786492),
    (0.995, 999, 2.5807596372676365285),
    (0.025, 5000, -1.9604385517065078948),
    (1e-200, 30000, -30.43697044831309063),
    (0.51, 10, 0.025702893008090309743),
    (1e-30, 2, -707106781186547.49494),
    (0.3, 1, -0.72654252800536093919),
]

NORMAL_EXACT = [
    (1e-300, -37.047096299361199237),
    (1e-10, -6.3613409024040561991),
    (0.001, -3.0902323061678135354),
    (0.3, -0.52440051270804081597),
    (0.5000001, 2.5066282733116483012e-7),
    (0.975, 1.9599639845400538556),
    (0.9999999, 5.1993375822906610937),
]


# --- t_quantile -----------------------------------------------------------------------------


@pytest.mark.parametrize(("df", "expected"), T_975_TABLE)
def test_t_quantile_matches_published_table(df: int, expected: float) -> None:
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-6)


def test_t_quantile_995_with_9_df() -> None:
    assert t_quantile(0.995, 9) == pytest.approx(3.249835542, abs=1e-6)


@pytest.mark.parametrize(("p", "df", "expected"), T_EXACT)
def test_t_quantile_is_accurate_to_1e12_relative(p: float, df: int, expected: float) -> None:
    assert t_quantile(p, df) == pytest.approx(expected, rel=1e-12, abs=0.0)


def test_t_quantile_tends_to_normal_for_large_df() -> None:
    z = normal_quantile(0.975)
    t = t_quantile(0.975, 10**6)
    assert t == pytest.approx(1.959964, abs=1e-5)
    assert z < t < t_quantile(0.975, 10**5)
    # Too large to fit a float: the normal quantile itself.
    assert t_quantile(0.975, 10**400) == z


def test_t_quantile_median_is_zero() -> None:
    for df in (1, 2, 3, 50, 10**6):
        assert t_quantile(0.5, df) == 0.0


@pytest.mark.parametrize("p", [1e-12, 0.01, 0.2, 0.3, 0.49, 0.6, 0.9, 0.975, 0.999999])
@pytest.mark.parametrize("df", [1, 2])
def test_closed_forms_agree_with_general_inversion(p: float, df: int) -> None:
    # Non-integer df next to 1 and 2 takes the incomplete-beta path.
    near = [df + 1e-9] if df == 1 else [df - 1e-9, df + 1e-9]
    for other in near:
        assert t_quantile(p, other) == pytest.approx(t_quantile(p, df), rel=1e-7)


@pytest.mark.parametrize("p", [0.0, 1.0, -0.1, 1.5, math.nan])
def test_t_quantile_rejects_p_outside_open_unit_interval(p: float) -> None:
    with pytest.raises(ValueError, match="p must be"):
        t_quantile(p, 5)


@pytest.mark.parametrize("df", [0, -3, 0.5, math.nan])
def test_t_quantile_rejects_df_below_one(df: float) -> None:
    with pytest.raises(ValueError, match="df must be"):
        t_quantile(0.975, df)  # type: ignore[arg-type]


@settings(deadline=None)
@given(
    p=st.floats(min_value=0.5, max_value=1.0, exclude_min=True, exclude_max=True),
    df=st.integers(min_value=1, max_value=100_000),
)
def test_t_quantile_is_antisymmetric(p: float, df: int) -> None:
    # 1 - p is exact for p > 1/2, so both calls see the same tail probability.
    assert t_quantile(p, df) == pytest.approx(-t_quantile(1.0 - p, df), rel=1e-12)


@settings(deadline=None)
@given(
    p=st.floats(min_value=0.5, max_value=1.0, exclude_min=True, exclude_max=True),
    df=st.integers(min_value=1, max_value=100_000),
)
def test_t_quantile_shrinks_towards_normal_as_df_grows(p: float, df: int) -> None:
    t = t_quantile(p, df)
    assert t > 0.0
    assert t_quantile(p, df + 1) <= t * (1.0 + 1e-12)
    assert normal_quantile(p) <= t * (1.0 + 1e-12)


# --- normal_quantile ------------------------------------------------------------------------


def test_normal_quantile_975() -> None:
    assert normal_quantile(0.975) == pytest.approx(1.959963985, abs=1e-9)


@pytest.mark.parametrize(("p", "expected"), NORMAL_EXACT)
def test_normal_quantile_is_accurate_to_1e12_relative(p: float, expected: float) -> None:
    assert normal_quantile(p) == pytest.approx(expected, rel=1e-12, abs=0.0)


def test_normal_quantile_median_is_zero() -> None:
    assert normal_quantile(0.5) == 0.0


@pytest.mark.parametrize("p", [0.0, 1.0, 2.0, math.nan])
def test_normal_quantile_rejects_p_outside_open_unit_interval(p: float) -> None:
    with pytest.raises(ValueError, match="p must be"):
        normal_quantile(p)


@given(st.floats(min_value=1e-300, max_value=0.5, exclude_max=True))
def test_normal_quantile_inverts_the_cdf(p: float) -> None:
    z = normal_quantile(p)
    assert z < 0.0
    assert 0.5 * math.erfc(-z / math.sqrt(2.0)) == pytest.approx(p, rel=1e-12)


@given(st.floats(min_value=0.5, max_value=1.0, exclude_min=True, exclude_max=True))
def test_normal_quantile_is_antisymmetric(p: float) -> None:
    # 1 - p is exact for p > 1/2, so both calls see the same tail probability.
    assert normal_quantile(p) == pytest.approx(-normal_quantile(1.0 - p), rel=1e-12)


# --- mean_ci --------------------------------------------------------------------------------


def _aggregates(values: list[float]) -> tuple[int, float, float]:
    """COUNT, SUM and SUM of squares as a database would accumulate them."""
    total = 0.0
    total_sq = 0.0
    for v in values:
        total += v
        total_sq += v * v
    return len(values), total, total_sq


def test_mean_ci_of_three_scores() -> None:
    half = 4.302652730 * 10.0 / math.sqrt(3.0)
    low, high = mean_ci(*_aggregates([50.0, 60.0, 70.0]))  # type: ignore[misc]
    assert low == pytest.approx(60.0 - half, abs=1e-6)
    assert high == pytest.approx(60.0 + half, abs=1e-6)
    assert mean_ci_from_values([50.0, 60.0, 70.0]) == pytest.approx((low, high), abs=1e-12)


def test_mean_ci_clips_at_zero() -> None:
    low, high = mean_ci(*_aggregates([0.0, 10.0]))  # type: ignore[misc]
    assert low == 0.0
    assert high == pytest.approx(5.0 + 12.706204736 * 5.0, abs=1e-6)


def test_mean_ci_clips_at_hundred() -> None:
    low, high = mean_ci(*_aggregates([90.0, 100.0]))  # type: ignore[misc]
    assert low == pytest.approx(95.0 - 12.706204736 * 5.0, abs=1e-6)
    assert high == 100.0


def test_mean_ci_clips_to_custom_scale() -> None:
    assert mean_ci(*_aggregates([1.0, 5.0, 1.0]), lo=1.0, hi=5.0) == (1.0, 5.0)


def test_mean_ci_with_mean_outside_the_scale_collapses_to_the_edge() -> None:
    assert mean_ci(2, 240.0, 28_800.0) == (100.0, 100.0)


def test_mean_ci_without_spread_is_a_point() -> None:
    assert mean_ci(*_aggregates([70.0, 70.0, 70.0])) == (70.0, 70.0)


def test_mean_ci_survives_negative_rounded_variance() -> None:
    n, total, total_sq = _aggregates([0.1, 0.1, 0.1])
    assert total_sq - total * total / n < 0.0  # the case being guarded against
    low, high = mean_ci(n, total, total_sq)  # type: ignore[misc]
    assert low == high == pytest.approx(0.1)


def test_mean_ci_widens_with_level() -> None:
    args = _aggregates([40.0, 55.0, 61.0, 72.0])
    low95, high95 = mean_ci(*args)  # type: ignore[misc]
    low99, high99 = mean_ci(*args, level=0.99)  # type: ignore[misc]
    assert low99 < low95 < high95 < high99


@pytest.mark.parametrize(("n", "total", "total_sq"), [(0, 0.0, 0.0), (1, 50.0, 2500.0)])
def test_mean_ci_needs_two_observations(n: int, total: float, total_sq: float) -> None:
    assert mean_ci(n, total, total_sq) is None


@pytest.mark.parametrize("values", [[], [50.0]])
def test_mean_ci_from_values_needs_two_observations(values: list[float]) -> None:
    assert mean_ci_from_values(values) is None


@pytest.mark.parametrize("level", [0.0, 1.0, 95.0, -0.5])
def test_mean_ci_rejects_bad_level(level: float) -> None:
    with pytest.raises(ValueError, match="level"):
        mean_ci(3, 180.0, 11_000.0, level=level)


def test_mean_ci_rejects_inverted_bounds() -> None:
    with pytest.raises(ValueError, match="lo must not exceed hi"):
        mean_ci(3, 180.0, 11_000.0, lo=100.0, hi=0.0)


@settings(deadline=None)
@given(st.lists(st.floats(min_value=0.0, max_value=100.0), min_size=2, max_size=50))
def test_mean_ci_agrees_with_two_pass_reference(values: list[float]) -> None:
    n, total, total_sq = _aggregates(values)
    got = mean_ci(n, total, total_sq)
    want = mean_ci_from_values(values)
    assert got is not None
    assert want is not None
    # The sum-of-squares formula loses up to ~n ulps of total_sq to cancellation; that bounds
    # the variance error, and sqrt of the variance error bounds the half-width error.
    variance_error = 4.0 * n * EPS * total_sq / (n - 1)
    tolerance = t_quantile(0.975, n - 1) * math.sqrt(variance_error / n) + 1e-9
    assert got == pytest.approx(want, abs=tolerance)
    assert 0.0 <= got[0] <= got[1] <= 100.0


# --- wilson ---------------------------------------------------------------------------------


def test_wilson_no_successes() -> None:
    low, high = wilson(0, 10)  # type: ignore[misc]
    assert low == 0.0
    assert high == pytest.approx(0.2775328030, abs=1e-9)


def test_wilson_all_successes() -> None:
    low, high = wilson(10, 10)  # type: ignore[misc]
    assert low == pytest.approx(0.7224671970, abs=1e-9)
    assert high == 1.0


def test_wilson_seven_of_ten() -> None:
    low, high = wilson(7, 10)  # type: ignore[misc]
    assert low == pytest.approx(0.3967781, abs=1e-7)
    assert high == pytest.approx(0.8922087, abs=1e-7)


def test_wilson_of_nothing_is_none() -> None:
    assert wilson(0, 0) is None


@pytest.mark.parametrize(("successes", "n", "z"), [(1, -1, 1.96), (-1, 10, 1.96), (11, 10, 1.96)])
def test_wilson_rejects_impossible_counts(successes: float, n: int, z: float) -> None:
    with pytest.raises(ValueError, match="must be"):
        wilson(successes, n, z)


def test_wilson_rejects_negative_z() -> None:
    with pytest.raises(ValueError, match="z must be"):
        wilson(3, 10, -1.0)


@st.composite
def _counts(draw: st.DrawFn) -> tuple[float, int]:
    n = draw(st.integers(min_value=1, max_value=1_000_000))
    successes = draw(
        st.one_of(
            st.integers(min_value=0, max_value=n),
            st.floats(min_value=0.0, max_value=float(n)),
        )
    )
    return successes, n


@given(_counts(), st.floats(min_value=0.0, max_value=10.0))
def test_wilson_bounds_lie_in_unit_interval_and_contain_p(
    counts: tuple[float, int], z: float
) -> None:
    successes, n = counts
    p = successes / n
    low, high = wilson(successes, n, z)  # type: ignore[misc]
    assert 0.0 <= low <= p <= high <= 1.0


@given(_counts())
def test_wilson_is_symmetric_in_successes_and_failures(counts: tuple[float, int]) -> None:
    successes, n = counts
    low, high = wilson(successes, n)  # type: ignore[misc]
    mirror_low, mirror_high = wilson(n - successes, n)  # type: ignore[misc]
    assert low == pytest.approx(1.0 - mirror_high, abs=1e-12)
    assert high == pytest.approx(1.0 - mirror_low, abs=1e-12)
