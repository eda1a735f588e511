"""Class breaks of a choropleth by ``mapclassify``: the scheme the map's legend names.

Schemes (``SCHEMES``):

- ``box``: box map (``BoxPlot``, hinge 1.5): lower outliers (under the first quartile less 1.5
  inter-quartile ranges), the four quartiles, upper outliers; always six classes (the bounds of
  the outlier classes are the fences), some possibly empty;
- ``natural``: natural breaks (``NaturalBreaks``: one-dimensional k-means, ``k`` classes; its
  random starts are seeded, so the breaks are the same each time);
- ``equal``: equal intervals between the least and the greatest value (``EqualInterval``);
- ``quantiles``: ``k`` classes of about equal counts (``Quantiles``);
- ``user``: breaks typed by the user (``UserDefined``): each break is the upper bound of a class
  (a value equal to it falls in that class), a last class up to the greatest value is added when
  values lie above the last break.

A class holds the values ``lower < value <= upper`` (the first also its lower bound), as in
mapclassify; ``yb`` is each value's class number.
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import mapclassify
import numpy as np

SCHEMES = ("box", "natural", "equal", "quantiles", "user")
K = 5
MAX_BREAKS = 8
SEED = 20091101
_GLOBAL_RANDOM = threading.Lock()  # NaturalBreaks' k-means draws from numpy's global generator


class BreaksError(ValueError):
    """Breaks typed by a user that cannot classify (not numbers, not increasing, too many)."""


@dataclass(frozen=True)
class ClassBreaks:
    """Classes of ``values``: ``lower`` the least value, ``bins`` the upper bound of each class,
    ``yb`` the class of each value, ``counts`` values per class; ``scheme`` and ``k`` as asked."""

    scheme: str
    bins: tuple[float, ...]
    lower: float
    yb: np.ndarray
    counts: tuple[int, ...]

    @property
    def bounds(self) -> tuple[float, ...]:
        """``lower`` then every upper bound (one more than there are classes)."""
        return (min(self.lower, self.bins[0]), *self.bins)


def classify(
    values: np.ndarray, scheme: str, *, k: int = K, breaks: Sequence[float] = ()
) -> ClassBreaks:
    """Classes of the finite ``values`` (at least one) by ``scheme`` (``SCHEMES``)."""
    y = np.asarray(values, dtype=np.float64)
    if y.size == 0 or not np.isfinite(y).all():
        raise ValueError("classify: give at least one value, every value finite")
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; one of {', '.join(SCHEMES)}")
    k = max(1, min(k, np.unique(y).size))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fewer distinct values than classes: mapclassify says so
        if scheme == "box":
            result = mapclassify.BoxPlot(y, hinge=1.5)
        elif scheme == "natural":
            result = _natural(y, k)
        elif scheme == "equal":
            result = mapclassify.EqualInterval(y, k=k)
        elif scheme == "quantiles":
            result = mapclassify.Quantiles(y, k=k)
        else:
            if not breaks:
                raise BreaksError("type at least one break")
            result = mapclassify.UserDefined(y, bins=list(breaks))
    bins = tuple(float(b) for b in result.bins)
    if scheme == "box" and len(bins) == 5:  # no upper outlier: mapclassify leaves its class out
        bins = (*bins, bins[-1])
    yb = np.asarray(result.yb, dtype=np.int64)
    counts = tuple(int((yb == i).sum()) for i in range(len(bins)))
    return ClassBreaks(scheme, bins, float(y.min()), yb, counts)


def _natural(y: np.ndarray, k: int) -> mapclassify.NaturalBreaks:
    with _GLOBAL_RANDOM:
        state = np.random.get_state()
        np.random.seed(SEED)
        try:
            return mapclassify.NaturalBreaks(y, k=k, initial=10)
        finally:
            np.random.set_state(state)


def parse_breaks(text: str, *, scale: float = 1.0) -> tuple[float, ...]:
    """Breaks typed as numbers separated by commas, spaces or 、 (``90, 95, 98``), each divided
    by ``scale`` (100 where the user types percents of a share); ``BreaksError`` when one is not
    a number, they do not increase, or there are more than ``MAX_BREAKS``."""
    parts = [p for p in re.split(r"[\s,，、;；]+", text.strip()) if p]
    if not parts:
        return ()
    try:
        numbers = [float(p.rstrip("%％‰")) / scale for p in parts]
    except ValueError:
        raise BreaksError(f"breaks are numbers separated by commas, not {text!r}") from None
    if len(numbers) > MAX_BREAKS:
        raise BreaksError(f"at most {MAX_BREAKS} breaks")
    if not all(np.isfinite(numbers)) or any(
        b >= a for a, b in zip(numbers[1:], numbers, strict=False)
    ):
        raise BreaksError("breaks must increase from left to right")
    return tuple(numbers)
