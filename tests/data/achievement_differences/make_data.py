"""Write respondents.csv: the hand-made design behind the achievement_differences oracle.

Seeded and small: 4 regions (strata) of 3 to 5 CCGs (PSUs, numbered within regions), 1 to 5
respondents per CCG with weights from 1 to 4, three size bands, and the outcomes of two aims
(blank where the aim was not set). Run ``python make_data.py`` here, then ``Rscript
make_oracle.R`` (R's survey package) for oracle.csv.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def main() -> None:
    """Write respondents.csv in the current folder."""
    rng = np.random.default_rng(20261206)
    rows = []
    for region, n_ccg in zip(["Y54", "Y55", "Y56", "Y57"], [3, 4, 5, 3], strict=True):
        for ccg in range(1, n_ccg + 1):
            for _ in range(int(rng.integers(1, 6))):
                row = {
                    "respondent_id": f"r{len(rows) + 1}",
                    "region": region,
                    "ccg_code": f"{region}-{ccg}",
                    "weight": float(rng.integers(1, 5)),
                    "size_band": ["under_30k", "30k_50k", "50k_100k"][int(rng.integers(0, 3))],
                }
                for aim in ("access", "staff"):
                    outcome = rng.choice(
                        ["fully", "partially", "not_achieved", "too_early", ""],
                        p=[0.35, 0.25, 0.15, 0.1, 0.15],
                    )
                    row[aim] = str(outcome)
                rows.append(row)
    pd.DataFrame(rows).to_csv("respondents.csv", index=False)
    print(len(rows), "respondents")


if __name__ == "__main__":
    main()
