"""Side-by-side steps (gpcollab._parallel): same results, same errors, no deadlock."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

from gpcollab import SurveyDesign, estimate_mean, estimate_proportions
from gpcollab._parallel import PARALLEL_MIN_ROWS, both, threads


def _table(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    ccg = rng.integers(0, 150, size=n)
    return pd.DataFrame(
        {
            "region": ccg % 7,
            "ccg": ccg,
            "weight": rng.lognormal(0.3, 0.5, size=n),
            "aim": rng.choice(["access", "quality", "staff"], size=n).astype(object),
            "band": rng.choice(["<30k", "30-50k", ">250k"], size=n).astype(object),
            "fully": (rng.random(n) < 0.4).astype(np.int64),
        }
    )


@pytest.mark.parametrize("estimator", ["mean", "proportions"])
def test_threads_give_bit_identical_results(
    monkeypatch: pytest.MonkeyPatch, estimator: str
) -> None:
    data = _table(PARALLEL_MIN_ROWS + 5_000)  # large enough to run side by side
    design = SurveyDesign(weights="weight", strata="region", psu="ccg")

    def run() -> pd.DataFrame:
        if estimator == "mean":
            return estimate_mean(data, "fully", by=["aim", "band"], design=design)
        return estimate_proportions(data, "aim", by="band", design=design)

    monkeypatch.setenv("GPCOLLAB_NUM_THREADS", "1")
    assert threads() == 1
    alone = run()
    monkeypatch.delenv("GPCOLLAB_NUM_THREADS")
    if threads() < 2:
        pytest.skip("this machine has one CPU: nothing runs side by side here")
    together = run()
    pd.testing.assert_frame_equal(alone, together, check_exact=True)


def test_small_tables_stay_on_the_calling_thread() -> None:
    seen: list[str] = []

    def record() -> None:
        seen.append(threading.current_thread().name)

    both(record, record, rows=PARALLEL_MIN_ROWS - 1)
    main = threading.current_thread().name
    assert seen == [main, main]


def test_first_error_wins_as_in_sequence() -> None:
    finished = threading.Event()

    def first() -> int:
        raise KeyError("first")

    def second() -> int:
        finished.set()
        raise IndexError("second")

    with pytest.raises(KeyError, match="first"):
        both(first, second, rows=PARALLEL_MIN_ROWS)
    assert finished.is_set()  # the other step was waited for, not left running


def test_second_error_is_raised_when_first_succeeds() -> None:
    def second() -> int:
        raise IndexError("second")

    with pytest.raises(IndexError, match="second"):
        both(lambda: 1, second, rows=PARALLEL_MIN_ROWS)


def test_nested_call_on_the_worker_does_not_wait_on_itself() -> None:
    def inner() -> tuple[int, int]:
        return both(lambda: 3, lambda: 4, rows=PARALLEL_MIN_ROWS)

    assert both(lambda: 1, inner, rows=PARALLEL_MIN_ROWS) == (1, (3, 4))


@pytest.mark.parametrize("setting", ["0", "1"])
def test_environment_turns_threads_off(monkeypatch: pytest.MonkeyPatch, setting: str) -> None:
    monkeypatch.setenv("GPCOLLAB_NUM_THREADS", setting)
    assert threads() == 1
