"""`walletdesk bench incident`: bad options are refused with a clear message, and the
places check finds duplicates, gaps and unknown places."""

import subprocess
import sys

from walletdesk.bench.incident import IncidentBenchConfig, _exact


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "walletdesk.cli", "bench", "incident", *args],
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin",
                                                               "COLUMNS": "200"})


def test_bad_options_are_refused_clearly():
    result = run("--multiplier", "0", "--spike-share", "2", "--database-url", "mysql://x/y")
    assert result.returncode == 2
    assert "--multiplier must be between 1 and 100" in result.stdout
    assert "--spike-share must be between 0 and 1" in result.stdout
    assert "sqlite or postgresql URL" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    not_a_number = run("--seconds", "soon")
    assert not_a_number.returncode == 2
    assert "Invalid value for '--seconds'" in not_a_number.stdout + not_a_number.stderr


def test_the_defaults_are_a_five_times_peak():
    config = IncidentBenchConfig()
    config.check()
    assert config.multiplier == 5


def test_places_must_be_exactly_one_to_n_per_team():
    assert _exact({1: [1, 2, 3], 2: [2, 1]}) == (True, 0, 0)
    assert _exact({1: [1, 1, 3]}) == (False, 1, 0)
    assert _exact({1: [1, 3]}) == (False, 0, 0)
    assert _exact({1: [1, None]}) == (False, 0, 1)
