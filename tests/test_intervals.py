"""Tests of gpcollab.intervals: pure interval functions against printed R values.

Sources: statistics reference sections 5.B (svyciprop methods, printed with 10 decimals, so
matched to 1e-9 absolute) and 5.G (classical intervals for 13/32).
"""

from __future__ import annotations

import numpy as np
import pytest

from gpcollab.errors import ArgumentError
from gpcollab.intervals import (
    boundary_ci,
    clopper_pearson_ci,
    proportion_ci,
    t_quantile,
    wald_ci,
    wilson_score_ci,
)

PRINTED = 1e-9

# 5.B dclus1, ~I(ell==0): p = 4/183, SE = 0.0226224509 (printed), df = 14, n = 183
DCLUS1 = {
    "logit": (0.0023046913, 0.1777477665),
    "xlogit": (0.0023046913, 0.1777477668),
    "asin": (0.0003071927, 0.0955767364),
    "beta": (0.0002161468, 0.1375077639),
    "mean": (-0.0266624080, 0.0703782550),
}
# 5.B unweighted mtcars ~am: p = 13/32, SE = sqrt(p(1-p)/31), df = 31, n = 32
MTCARS = {
    "logit": (0.2450235377, 0.5905774540),
    "xlogit": (0.2450235377, 0.5905774540),
    "asin": (0.2365607256, 0.5883787224),
    "beta": (0.2344293279, 0.5966868603),
    "mean": (0.2263445896, 0.5861554104),
    "wilson": (0.2480489962, 0.5866334943),
}


@pytest.mark.parametrize("method", list(DCLUS1))
def test_dclus1_methods(method: str) -> None:
    # SE is printed to 10 decimals; its rounding moves the ends by < 1e-9
    low, high = proportion_ci(4 / 183, 0.0226224509, 14, method=method, n=183)
    expected = DCLUS1[method]
    assert float(low) == pytest.approx(expected[0], abs=PRINTED)
    assert float(high) == pytest.approx(expected[1], abs=PRINTED)


@pytest.mark.parametrize("method", list(MTCARS))
def test_mtcars_methods(method: str) -> None:
    p = 13 / 32
    se = np.sqrt(p * (1 - p) / 31)
    assert se == pytest.approx(0.0882099653, abs=PRINTED)
    low, high = proportion_ci(p, se, 31, method=method, n=32)
    expected = MTCARS[method]
    assert float(low) == pytest.approx(expected[0], abs=PRINTED)
    assert float(high) == pytest.approx(expected[1], abs=PRINTED)


def test_normal_intervals_df_inf() -> None:
    # 5.B: logit, df=Inf (0.2504448154, 0.5835253018); mean, df=Inf (0.2333616449, 0.5791383551)
    p = 13 / 32
    se = np.sqrt(p * (1 - p) / 31)
    low, high = proportion_ci(p, se, np.inf, method="logit")
    assert (float(low), float(high)) == pytest.approx((0.2504448154, 0.5835253018), abs=PRINTED)
    low, high = wald_ci(p, se, np.inf)
    assert (float(low), float(high)) == pytest.approx((0.2333616449, 0.5791383551), abs=PRINTED)


def test_classical_intervals() -> None:
    # 5.G: wilson 0.2551963484-0.5773997512; Clopper-Pearson 0.2369841006-0.5935507534;
    # 0/32 Clopper-Pearson (0, 0.1088812)
    low, high = wilson_score_ci(13, 32)
    assert (float(low), float(high)) == pytest.approx((0.2551963484, 0.5773997512), abs=PRINTED)
    low, high = clopper_pearson_ci(13, 32)
    assert (float(low), float(high)) == pytest.approx((0.2369841006, 0.5935507534), abs=PRINTED)
    low, high = clopper_pearson_ci(0, 32)
    assert float(low) == 0.0
    assert float(high) == pytest.approx(0.1088812, abs=5e-8)
    low, high = clopper_pearson_ci(32, 32)
    assert float(high) == 1.0
    assert float(low) == pytest.approx(1 - 0.1088812, abs=5e-8)


def test_boundary_interval() -> None:
    # hand computation: 0 of n* with n* = Kish n (t ratio 1 when df = n - 1): 1 - 0.025**(1/n*)
    low, high = boundary_ci(np.array([0.0, 1.0]), 32.0, 31, 32)
    np.testing.assert_allclose(low, [0.0, 0.025 ** (1 / 32)], rtol=1e-12)
    np.testing.assert_allclose(high, [1 - 0.025 ** (1 / 32), 1.0], rtol=1e-12)
    # fewer design df than n - 1 shrinks n* and widens the interval
    _, wide = boundary_ci(0.0, 32.0, 5, 32)
    assert float(wide) > float(high[0])


def test_vectorised_shapes_and_t_quantile() -> None:
    p = np.array([0.2, 0.5, 0.7])
    low, high = proportion_ci(p, np.full(3, 0.05), np.array([10, 20, np.inf]), method="logit")
    assert low.shape == high.shape == (3,)
    assert np.all((low < p) & (p < high))
    assert float(t_quantile(0.95, np.inf)) == pytest.approx(1.959963984540054, rel=1e-14)
    assert np.isnan(t_quantile(0.95, 0))


def test_interval_errors() -> None:
    with pytest.raises(ArgumentError, match=r"`ci_method` must be one of"):
        proportion_ci(0.5, 0.1, 10, method="profile")
    with pytest.raises(ArgumentError, match=r"'likelihood'.*needs the rows"):
        proportion_ci(0.5, 0.1, 10, method="likelihood")
    with pytest.raises(ArgumentError, match=r"needs the sample size `n`"):
        proportion_ci(0.5, 0.1, 10, method="beta")
    with pytest.raises(ArgumentError, match=r"`level` must be a number strictly between"):
        wald_ci(0.5, 0.1, 10, level=1.5)
