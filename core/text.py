"""Text normalisation shared by search, imports and header matching."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold(text: str) -> str:
    """Lower-case `text`, drop accents and collapse white space.

    "  José  GARCÍA " and "jose garcia" fold to the same string, so folded text is
    what search and header matching compare.
    """
    return _SPACES.sub(" ", strip_accents(text).lower()).strip()


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()
