"""The fast paths of replicate designs by domain, against independent computations.

``tests/test_replicate.py`` holds the R oracles (small designs); here designs large enough to
take the paths built for survey-sized tables: the rank test by blocks (``weights_rank``), the
jackknife's block-diagonal-plus-rank-2 Gram matrices (``_UnitRanks``), and replicate sums in
bounded chunks when the units are rows.  Expected values come from NumPy's SVD rank, from the
variance formula of R's ``svrVar`` written out here, and from the data's construction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gpcollab import (
    ReplicateDesign,
    SurveyDesign,
    as_replicate_design,
    estimate_mean,
    estimate_proportions,
    estimate_total,
    replicate_weights,
)
from gpcollab import replicate as rep
from gpcollab.replicate import prepare_replicates, weights_rank


def _design_table(n: int, sizes: list[int], seed: int) -> pd.DataFrame:
    """Rows over PSUs in strata of the given sizes (every PSU has rows), 6 domains."""
    rng = np.random.default_rng(seed)
    stratum_of_psu = np.repeat(np.arange(len(sizes)), sizes)
    n_psu = stratum_of_psu.size
    psu = np.concatenate([np.arange(n_psu), rng.integers(0, n_psu, size=n - n_psu)])
    return pd.DataFrame(
        {
            "h": stratum_of_psu[psu],
            "psu": psu,
            "w": rng.lognormal(1.0, 0.6, size=n),
            "dom": rng.integers(0, 6, size=n),
            "x": rng.normal(10.0, 3.0, size=n),
        }
    )


# --------------------------------------------------------------------------- weights_rank


@pytest.mark.parametrize("rank", [1, 37, 90])
def test_rank_of_a_product_of_random_factors(rank: int) -> None:
    # columns in general position: the first `rank` count, the others are combinations of them
    rng = np.random.default_rng(rank)
    a = rng.normal(size=(90, rank)) @ rng.normal(size=(rank, 300))
    assert weights_rank(a.T @ a) == rank == np.linalg.matrix_rank(a)


def test_rank_skips_zero_repeated_and_nearly_repeated_columns_across_blocks() -> None:
    # 200 independent columns with copies, zero columns and near-copies (relative distance
    # 1e-8, below the tolerance 1e-5) put at block edges and inside blocks; then a column at
    # relative distance 1e-3 from a counted one, which counts
    rng = np.random.default_rng(5)
    base = rng.normal(size=(400, 200))
    columns = [base[:, j] for j in range(200)]
    for position, source in [(63, 3), (64, 10), (65, 0), (127, 150), (128, 199), (20, 19)]:
        columns.insert(position, columns[source] * 2.5)
    columns.insert(40, np.zeros(400))
    columns.insert(190, columns[7] + 1e-8 * np.linalg.norm(columns[7]) * rng.normal(size=400))
    a = np.column_stack(columns)
    assert weights_rank(a.T @ a) == 200
    nudged = np.column_stack([a, base[:, 0] + 1e-3 * np.linalg.norm(base[:, 0]) * np.eye(400)[0]])
    assert weights_rank(nudged.T @ nudged) == 201


def test_rank_stops_at_the_bound_it_is_given() -> None:
    rng = np.random.default_rng(8)
    a = rng.normal(size=(50, 120))
    gram = a.T @ a
    assert weights_rank(gram) == 50
    assert weights_rank(gram, max_rank=50) == 50
    assert weights_rank(gram, max_rank=20) == 20
    assert weights_rank(gram, max_rank=0) == 0


def test_rank_follows_the_column_order_of_the_test() -> None:
    # e1; e1 + 1e-6 e2 (its new part is 1e-6 of its norm: skipped); e2 (counts): R's dqrdc2
    # takes columns in order, so the rank is 2, and e1 + 1e-3 e2 after e1 alone counts
    e1, e2 = np.eye(3)[0], np.eye(3)[1]
    a = np.column_stack([e1, e1 + 1e-6 * e2, e2])
    assert weights_rank(a.T @ a) == 2
    b = np.column_stack([e1, e1 + 1e-3 * e2])
    assert weights_rank(b.T @ b) == 2


# --------------------------------------------------------------------------- domain df


def _svd_df(data: pd.DataFrame, design: ReplicateDesign) -> list[int]:
    """Each domain's df from the SVD rank of its rows' replicate weights (R: qr rank - 1)."""
    weights = replicate_weights(data, design).to_numpy()
    return [
        int(np.linalg.matrix_rank(weights[data["dom"].to_numpy() == g])) - 1
        for g in sorted(data["dom"].unique())
    ]


@pytest.mark.parametrize("kind", ["JKn", "JK1"])
def test_jackknife_domain_df_by_blocks_equals_the_svd_rank(kind: str) -> None:
    # 520 PSUs (so 520 x 520 factors take the block-diagonal-plus-rank-2 path) in strata of 2
    # to 15 PSUs; domains of about 500 rows leave some PSUs out of each domain
    rng = np.random.default_rng(21)
    sizes = list(rng.integers(2, 16, size=200))
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), 520))]
    sizes.append(520 - int(np.sum(sizes)))
    data = _design_table(2_400, [int(s) for s in sizes if s > 0], seed=4)
    taylor = SurveyDesign(weights="w", psu="psu", **({"strata": "h"} if kind == "JKn" else {}))
    design = as_replicate_design(taylor, kind)  # type: ignore[arg-type]
    prepared = prepare_replicates(data, design)
    assert rep._UnitRanks(prepared.unit_factors).structured
    table = estimate_mean(data, "x", by="dom", design=design)
    assert table["df"].astype(int).tolist() == _svd_df(data, design)


def test_brr_and_bootstrap_take_the_matrix_product_and_agree_with_the_svd_rank() -> None:
    data = _design_table(2_400, [2] * 300, seed=9)
    strat = SurveyDesign(weights="w", strata="h", psu="psu")
    for design in (
        as_replicate_design(strat, "BRR"),
        as_replicate_design(strat, "bootstrap", n_replicates=40, seed=2),
    ):
        prepared = prepare_replicates(data, design)
        assert not rep._UnitRanks(prepared.unit_factors).structured
        table = estimate_total(data, "x", by="dom", design=design)
        assert table["df"].astype(int).tolist() == _svd_df(data, design)


# --------------------------------------------------------------------------- sums by domain


def test_given_replicate_columns_summed_in_chunks_match_the_variance_formula(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # replicate columns given with the data: each unit is a row, so (domain, row) cells are
    # summed a bounded block at a time; tiny blocks here split domains across blocks
    rng = np.random.default_rng(13)
    n, n_reps = 2_000, 30
    data = pd.DataFrame(
        {
            "dom": rng.integers(0, 7, size=n),
            "x": rng.gamma(2.0, 3.0, size=n),
            "w": rng.uniform(1.0, 4.0, size=n),
        }
    )
    factors = rng.choice([0.0, 1.0, 2.0], size=(n, n_reps), p=[0.3, 0.4, 0.3])
    names = [f"r{k}" for k in range(n_reps)]
    data[names] = factors * data["w"].to_numpy()[:, None]
    design = ReplicateDesign(type="bootstrap", replicates=tuple(names), weights="w")
    monkeypatch.setattr(rep, "_CHUNK_VALUES", 7 * n_reps)  # 7 cells per block
    table = estimate_total(data, "x", by="dom", design=design)
    for _, row in table.iterrows():
        inside = (data["dom"] == row["dom"]).to_numpy()
        x = data["x"].to_numpy()[inside]
        full = float(np.sum(data["w"].to_numpy()[inside] * x))
        reps = data.loc[inside, names].to_numpy().T @ x
        # R's svrVar for the bootstrap: scale 1 / (R - 1), centred at the replicates' mean
        var = float(np.sum((reps - reps.mean()) ** 2)) / (n_reps - 1)
        assert row["estimate"] == pytest.approx(full, rel=1e-12)
        assert row["se"] == pytest.approx(np.sqrt(var), rel=1e-10)


def test_a_domain_of_one_level_is_exactly_one_on_a_replicate_design() -> None:
    # every replicate sum of the level is the domain's own sum, so the share is exactly 1
    # and its SE exactly 0 (the BoundaryWarning for a base of 30 or more is expected)
    data = _design_table(20_000, [10] * 60, seed=17)
    data["answer"] = np.where(data["dom"] == 2, "yes", np.where(data["x"] > 10, "yes", "no"))
    design = as_replicate_design(SurveyDesign(weights="w", strata="h", psu="psu"), "JKn")
    with pytest.warns(Warning):
        table = estimate_proportions(data, "answer", by="dom", design=design)
    row = table[(table["dom"] == 2) & (table["answer"] == "yes")].iloc[0]
    assert row["estimate"] == 1.0 and row["se"] == 0.0
    other = table[(table["dom"] == 2) & (table["answer"] == "no")].iloc[0]
    assert other["estimate"] == 0.0 and other["se"] == 0.0
