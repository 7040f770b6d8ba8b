"""Array type aliases shared by the package (one definition each; see docs/architecture.md).

The module is private to the package: its names are for annotations inside ``gpcollab``.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

__all__ = ["BoolArray", "FloatArray", "IntArray"]

#: 1-D or 2-D arrays of 64-bit floats: weights, estimates, model matrices.
FloatArray: TypeAlias = NDArray[np.float64]
#: Arrays of index-sized integers: domain, stratum and PSU codes.
IntArray: TypeAlias = NDArray[np.intp]
#: Boolean masks.
BoolArray: TypeAlias = NDArray[np.bool_]
