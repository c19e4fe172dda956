"""The contact forecast: Holt-Winters with enough history, seasonal averages without."""

import numpy as np

from walletdesk.staffing.forecast import PER_DAY, PER_WEEK, Method, forecast_contacts


def weekly_pattern(weeks: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Poisson counts around a known shape: busy afternoons, quiet nights and weekends."""
    slots = np.arange(PER_WEEK)
    hour = (slots % PER_DAY) / 2
    weekday = slots // PER_DAY
    shape = 1 + 9 * np.exp(-((hour - 14) ** 2) / 18) * np.where(weekday < 5, 1.0, 0.4)
    rng = np.random.default_rng(seed)
    return rng.poisson(np.tile(shape, weeks)).astype(float), shape


def test_holt_winters_learns_the_week():
    history, shape = weekly_pattern(6)
    forecast = forecast_contacts(history.tolist(), 2 * PER_WEEK)
    assert forecast.method == Method.holt_winters and not forecast.is_fallback
    predicted = np.asarray(forecast.contacts)
    assert len(predicted) == 2 * PER_WEEK and predicted.min() >= 0
    error = np.abs(predicted[:PER_WEEK] - shape).mean()
    naive = np.abs(history.mean() - shape).mean()  # one flat level for every half-hour
    assert error < naive / 2, (error, naive)
    # the weekday afternoon peak is forecast above the Sunday night
    assert predicted[2 * PER_DAY + 28] > 3 * predicted[6 * PER_DAY + 6]


def test_short_history_falls_back_to_seasonal_averages_and_says_so():
    history, _ = weekly_pattern(1)
    weekly = forecast_contacts(history.tolist(), 10)
    assert weekly.method == Method.weekly_average and weekly.is_fallback
    assert weekly.contacts == [round(v, 2) for v in history[:10]]  # the one week, again
    two_days = forecast_contacts(history[:2 * PER_DAY].tolist(), PER_DAY)
    assert two_days.method == Method.daily_average
    expected = (history[:PER_DAY] + history[PER_DAY:2 * PER_DAY]) / 2
    assert np.allclose(two_days.contacts, expected.round(2))
    nothing = forecast_contacts([1.0] * 5, 3)
    assert nothing.method == Method.none and nothing.contacts == [0.0, 0.0, 0.0]


def test_one_quiet_morning_lowers_the_next_hours_not_the_next_weeks():
    history, shape = weekly_pattern(4)
    history[-PER_DAY // 2:] = 0  # the last twelve hours: nobody wrote (an outage, a holiday)
    forecast = forecast_contacts(history.tolist(), PER_WEEK)
    assert forecast.method == Method.holt_winters
    predicted = np.asarray(forecast.contacts)
    days = predicted.reshape(7, PER_DAY).sum(axis=1)
    usual = shape.reshape(7, PER_DAY).sum(axis=1)
    assert predicted.sum() > 0.75 * shape.sum(), (predicted.sum(), shape.sum())
    assert np.all(days[3:] > 0.8 * usual[3:]), (days, usual)
