"""Where the project's shared test and benchmark data sets live (BANKING77, wallet_faq).

They are not part of the repository. Set ``WALLETDESK_SHARED_DATA`` to their folder, or keep
them at ``../shared/data`` next to the checkout; ``/work/shared/data`` is the workplace's
own location.
"""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    candidates = [os.environ.get("WALLETDESK_SHARED_DATA"),
                  REPO_ROOT.parent / "shared" / "data", "/work/shared/data"]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    raise FileNotFoundError(
        "the shared data sets were not found: set WALLETDESK_SHARED_DATA to their folder "
        f"(looked in {', '.join(str(c) for c in candidates if c)})")
