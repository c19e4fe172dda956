"""Forecast contacts per 30-minute interval from history (pure, numpy + statsmodels).

With at least two weeks of history: Holt-Winters exponential smoothing (statsmodels'
``ExponentialSmoothing``, additive, no trend, a weekly season of 336 half-hours, which holds
the daily shape of each weekday). Its level follows the last hours closely (a fitted smoothing
of 0.1–0.2 a half-hour after a quiet morning), so its forecast drifts back, with a half-life
of a day, from the last level to the average level of the last two weeks: one quiet morning
lowers the next hours, not the next weeks. With less: the average of the same half-hour of the week
(one to two weeks), else of the day (one to six days); with under a day there is nothing to
forecast from. The method used is returned with the numbers, so the page can say which.
"""

import warnings
from dataclasses import dataclass

import numpy as np

INTERVAL_S = 1800
PER_DAY = 24 * 3600 // INTERVAL_S  # 48
PER_WEEK = 7 * PER_DAY  # 336
LEVEL_HALF_LIFE = PER_DAY  # intervals for the last level's distance from the usual one to halve


class Method:
    holt_winters = "holt_winters"
    weekly_average = "weekly_average"
    daily_average = "daily_average"
    none = "none"


@dataclass
class Forecast:
    contacts: list[float]
    method: str
    history_intervals: int

    @property
    def is_fallback(self) -> bool:
        return self.method != Method.holt_winters


def _seasonal_average(history: np.ndarray, period: int, horizon: int) -> np.ndarray:
    """The mean of each slot of the period over the history, continued from its end."""
    usable = len(history) - len(history) % period
    if usable == 0:
        return np.zeros(horizon)
    start = len(history) - usable  # whole periods, ending with the newest interval
    shape = history[start:].reshape(-1, period).mean(axis=0)
    return np.array([shape[i % period] for i in range(horizon)])


def _level_reverts(predicted: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Holt-Winters' forecast with its level moving back to the last two weeks' average.

    The additive model's forecast is the last level plus the season; the last level's distance
    from the usual level halves every ``LEVEL_HALF_LIFE`` intervals.
    """
    last = level[-1]
    usual = level[-2 * PER_WEEK:].mean()
    steps = np.arange(1, len(predicted) + 1)
    return predicted - last + usual + (last - usual) * 0.5 ** (steps / LEVEL_HALF_LIFE)


def forecast_contacts(history: list[float], horizon: int) -> Forecast:
    """``horizon`` intervals after the last of ``history`` (counts per interval, oldest first)."""
    values = np.asarray(history, dtype=float)
    if len(values) >= 2 * PER_WEEK and values.sum() > 0:
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        with warnings.catch_warnings():  # convergence notes on flat series are not errors
            warnings.simplefilter("ignore")
            model = ExponentialSmoothing(values, trend=None, seasonal="add",
                                         seasonal_periods=PER_WEEK,
                                         initialization_method="heuristic").fit()
            predicted = np.asarray(model.forecast(horizon), dtype=float)
            predicted = _level_reverts(predicted, np.asarray(model.level, dtype=float))
        if np.all(np.isfinite(predicted)):
            return Forecast(np.clip(predicted, 0, None).round(2).tolist(), Method.holt_winters,
                            len(values))
    if len(values) >= PER_WEEK:
        return Forecast(_seasonal_average(values, PER_WEEK, horizon).round(2).tolist(),
                        Method.weekly_average, len(values))
    if len(values) >= PER_DAY:
        return Forecast(_seasonal_average(values, PER_DAY, horizon).round(2).tolist(),
                        Method.daily_average, len(values))
    return Forecast([0.0] * horizon, Method.none, len(values))
