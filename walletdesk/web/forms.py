"""Small helpers for reading admin forms."""


def split_list(value: str) -> list[str]:
    """"a, b\nc" → ["a", "b", "c"]: comma- or line-separated form fields."""
    return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]
