"""Is this interval's count unusual for this time of week? A pure, robust test.

The usual level is the median of the counts of the same time-of-week slot (and its
neighbours) in the last weeks; the spread is the median absolute deviation (scaled to a
standard deviation), never less than a Poisson count's (√median) or 1. A count is a spike
when it reaches all of: ``min_count``, median + ``threshold`` × spread, and ``min_ratio`` ×
median. The median and the MAD ignore one odd week (an earlier incident, a holiday), and the
same slot of past weeks already holds the ordinary weekly peaks, so they do not alert
(docs/decisions, "spikes against the same time of week").
"""

import math
import statistics
from dataclasses import dataclass

MAD_TO_SD = 1.4826  # MAD × this estimates the standard deviation of normal data


@dataclass(frozen=True)
class Assessment:
    observed: int
    expected: float  # the median of the history
    spread: float
    threshold: float  # the count from which it is a spike
    score: float  # robust deviations above the usual level
    is_spike: bool


def assess(observed: int, history: list[int], *, min_count: int, threshold: float,
           min_ratio: float) -> Assessment:
    expected = float(statistics.median(history)) if history else 0.0
    mad = float(statistics.median([abs(c - expected) for c in history])) if history else 0.0
    spread = max(MAD_TO_SD * mad, math.sqrt(expected), 1.0)
    needed = max(float(min_count), expected + threshold * spread, min_ratio * expected)
    score = (observed - expected) / spread
    return Assessment(observed=observed, expected=expected, spread=round(spread, 3),
                      threshold=math.ceil(needed), score=round(score, 2),
                      is_spike=observed >= needed)
