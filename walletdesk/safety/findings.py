"""What the protect step reports: a finding per secret removed, and its span in the text."""

from dataclasses import dataclass
from typing import Literal

Kind = Literal["seed_phrase", "private_key", "keystore"]
Certainty = Literal["certain", "likely"]


@dataclass(frozen=True)
class Finding:
    kind: Kind
    certainty: Certainty
    detail: str = ""


Span = tuple[int, int, Finding]  # [start, end) in the text searched, and what is there
