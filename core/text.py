"""Text normalisation shared by search, imports and header matching."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _unfoldable_pattern() -> re.Pattern:
    """Match a character outside ASCII and the Latin letters (`á`, `ñ`, `ü`, the
    no-break space...) that NFKD turns into ASCII plus combining accents."""
    latin = "".join(
        char
        for char in map(chr, range(0x80, 0x250))
        if strip_accents(char).isascii()
        and unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        == strip_accents(char)
    )
    return re.compile("[^\\x00-\\x7f" + re.escape(latin) + "]")


_UNFOLDABLE = _unfoldable_pattern()


def fold(text: str) -> str:
    """Lower-case `text`, drop accents and collapse white space.

    "  José  GARCÍA " and "jose garcia" fold to the same string, so folded text is
    what search and header matching compare.
    """
    if text.isascii():
        pass
    elif _UNFOLDABLE.search(text) is None:
        # Spanish text: dropping what is not ASCII after NFKD drops the accents.
        decomposed = unicodedata.normalize("NFKD", text)
        text = decomposed.encode("ascii", "ignore").decode("ascii")
    else:
        text = strip_accents(text)
    # str.split() with no argument splits on the same Unicode white space as \s.
    return " ".join(text.lower().split())


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()
