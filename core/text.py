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


# Quotes, brackets, dashes and other marks before a name's first word, which
# sort_key drops.
_LEADING_MARKS = re.compile(r"^[\W_]+")


def sort_key(text: str) -> str:
    """Return the key that puts `text` in Spanish alphabetical order when keys
    are compared byte by byte (SQLite's default, PostgreSQL's "C" collation).

    Case and accents do not count, so «Álvaro» sorts among the A and «APARTAHOTEL»
    after «Adriana». «ñ» becomes «n~», and «~» comes after every letter, so
    «Muñoz» sorts after «Munera» and before «Muro», as in a Spanish dictionary.
    Quotes and marks before the first word are dropped: «"El Recreo"» sorts
    under E.
    """
    if not text.isascii():
        if "\u0303" in text:
            # Text pasted from some programs spells «ñ» as «n» followed by a
            # combining tilde.
            text = unicodedata.normalize("NFC", text)
        if "ñ" in text or "Ñ" in text:
            text = text.replace("ñ", "n~").replace("Ñ", "n~")
    key = fold(text)
    if key and not key[0].isalnum():
        key = _LEADING_MARKS.sub("", key)
    return key


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


# Colombian street-type words and the number sign, each spelled one way: the
# short forms of the registry sample (subscribers/tests/data), which writes
# CL, KR, DG and TV. "Calle 10 No. 5-20" and "CL 10 # 5-20" are then the
# same text.
STREET_WORDS = {
    "calle": "cl",
    "cll": "cl",
    "clle": "cl",
    "cl": "cl",
    "carrera": "kr",
    "cra": "kr",
    "kra": "kr",
    "carr": "kr",
    "cr": "kr",
    "kr": "kr",
    "avenida": "av",
    "avda": "av",
    "av": "av",
    "diagonal": "dg",
    "diag": "dg",
    "dg": "dg",
    "transversal": "tv",
    "transv": "tv",
    "tv": "tv",
    "numero": "#",
    "num": "#",
    "nro": "#",
    "no": "#",
    "n°": "#",
}
# STREET_WORDS, also written with a final period ("cra.", "no.").
_STREET_WORDS_DOTTED = {
    **STREET_WORDS,
    **{f"{word}.": short for word, short in STREET_WORDS.items()},
}


# A word of at least this many letters that begins a longer spelling of
# STREET_WORDS ("carre", "ave", "diag") is searched as that street word too.
STREET_PREFIX_MIN_LENGTH = 3


def street_abbreviation(word: str) -> str | None:
    """Return the short spelling of the street word `word` (folded, as one word
    of normalise_street_words' input) spells, or None when it spells none."""
    return _STREET_WORDS_DOTTED.get(word)


def street_abbreviation_of_prefix(word: str) -> str | None:
    """Return the short spelling of the street word that folded `word` begins
    without spelling it whole ("carre" begins "carrera": "kr"), or None. The
    word needs STREET_PREFIX_MIN_LENGTH letters, and a final period is ignored.
    No such prefix begins spellings of two different street words."""
    word = word.removesuffix(".")
    if len(word) < STREET_PREFIX_MIN_LENGTH or not word.isalpha():
        return None
    return _STREET_PREFIXES.get(word)


def _street_prefixes() -> dict[str, str]:
    prefixes = {}
    for spelling, short in STREET_WORDS.items():
        for end in range(STREET_PREFIX_MIN_LENGTH, len(spelling)):
            if prefixes.setdefault(spelling[:end], short) != short:
                raise ValueError(f"{spelling[:end]!r} begins two street words")
    return prefixes


_STREET_PREFIXES = _street_prefixes()


class _FoldedWords(dict):
    """Words as written → normalise_street_words(fold(word)), filled on first
    use. Names and addresses repeat their words across a registry, so most
    words are folded once. Words past MAX_WORDS are folded on every use,
    which keeps memory flat on any file."""

    MAX_WORDS = 50_000

    def __missing__(self, word: str) -> str:
        folded = normalise_street_words(fold(word))
        if len(self) < self.MAX_WORDS:
            self[word] = folded
        return folded


_folded_words = _FoldedWords()


def fold_street_words(text: str) -> str:
    """Return normalise_street_words(fold(text)), folding each distinct word
    once per process: the registry import runs this for every account.

    Folding works character by character and keeps white space, so the text
    folds word by word to the same result. A word that folds to nothing (a
    lone accent) is dropped, as folding the whole text drops it.
    """
    return " ".join(
        [word for word in map(_folded_words.__getitem__, text.split()) if word]
    )


def normalise_street_words(folded: str) -> str:
    """Spell the street-type words and the number sign of folded text (see
    fold) one way, as STREET_WORDS lists them, and set "#" apart as a word of
    its own: "calle 10 no. 5-20" and "cl 10#5-20" both become "cl 10 # 5-20".
    Registry search applies it to the stored text and to the query alike."""
    if "#" in folded:
        folded = folded.replace("#", " # ")
    # The registry import runs this once per account. A dictionary lookup per
    # word took 2.6 µs per account of the registry sample, a regular
    # expression over the text 4.6 µs (timeit, 2-core machine under load).
    words = _STREET_WORDS_DOTTED
    return " ".join([words.get(word, word) for word in folded.split()])
