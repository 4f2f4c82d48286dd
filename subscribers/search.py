"""Registry search: the terms of a query and the conditions that find them.

A query is split into terms that every match must contain. A term of words is
found in the folded name, address and barrio (`search_text`). A number is
matched at the start of the account code, the billing account and the ID, and
a number of 10 digits or more also at the start of the cadastral number.
`subscribers.pages` reads the pages of matches.
"""

import re
from dataclasses import dataclass

from django.db.models import Q
from django.db.models.lookups import Contains

from core.text import fold, normalise_street_words
from subscribers.models import search_text_without_spaces

# Shorter queries match too much to be worth searching; the form rejects them.
MIN_QUERY_LENGTH = 3
# A word shorter than this is searched together with its neighbours: "cl",
# "4" or "e" alone match most accounts, and trigrams need three characters.
SHORT_WORD = 3
# A number needs this many digits to be matched against codes and IDs.
MIN_KEY_DIGITS = 3
# A number needs this many digits to be matched against the start of the
# 30-digit cadastral number. Its first 5 digits are the municipality's DANE
# code and the next 4 the zone and sector, so a shorter prefix would match a
# whole municipality or sector.
MIN_CADASTRAL_DIGITS = 10

# Digits and the separators people type inside codes and IDs.
_NUMBER = re.compile(r"[\d\s.,\-/]+")


@dataclass(frozen=True)
class Term:
    """One part of a query that every match must contain: `phrase` inside the
    search text, or `key` at the start of an account code, billing account or
    ID. A term may have both, and then either matches."""

    phrase: str = ""
    key: str = ""

    @property
    def id_key(self) -> str:
        """The key as IDs are stored: a number without leading zeros."""
        return (self.key.lstrip("0") or "0") if self.key.isdigit() else self.key

    @property
    def id_and_check_digit(self) -> tuple[str, str] | None:
        """The key read as an ID followed by its DV (9017655453), if it can be."""
        number = self.id_key
        if number.isdigit() and len(number) > MIN_KEY_DIGITS:
            return number[:-1], number[-1]
        return None


def parse_query(query: str) -> list[Term]:
    """Split `query` into terms; a query shorter than three characters has none.

    A query made only of digits and separators ("449-000663", "1.019.968.196",
    "901765545-3") is one number, matched against codes and IDs only. Other
    queries are folded words, with street words spelled as the search text
    spells them ("calle" and "cll" become "cl", "no." becomes "#"; see
    normalise_street_words). A word shorter than three characters joins the
    word after it, or the one before it at the end, so "km 4 via melgar" looks
    for "km 4 via" and "melgar", and "cl 10" for "cl 10" as written. A phrase
    that looks like a code or ID ("1019968196", "AB123456") may match the
    search text or the start of a code or ID.
    """
    folded = fold(query)
    if len(folded) < MIN_QUERY_LENGTH:
        return []
    digits = number_digits(query)
    if digits:
        return [Term(key=digits)]
    words = normalise_street_words(folded).split()
    return [Term(phrase, key_text(phrase)) for phrase in phrases(words)]


def phrases(words: list[str]) -> list[str]:
    """Join each run of short words to the word after it (or before it)."""
    result, pending = [], []
    for word in words:
        pending.append(word)
        if len(word) >= SHORT_WORD:
            result.append(" ".join(pending))
            pending = []
    if pending and result:
        result[-1] = " ".join([result[-1], *pending])
    elif pending:
        result.append(" ".join(pending))
    return result


def number_digits(text: str) -> str:
    """Return the digits of `text` when it is a number as typed, else ""."""
    if not _NUMBER.fullmatch(text):
        return ""
    digits = "".join(char for char in text if char.isdigit())
    return digits if len(digits) >= MIN_KEY_DIGITS else ""


def key_text(phrase: str) -> str:
    """Return the code or ID that `phrase` may be: the digits of a number, or a
    word of letters and digits in capitals, as IDs are stored. Return "" when
    it cannot be one.

    NOTE: account codes keep the case of the imported file, so a code with
    lower-case letters is not found by a key that contains letters.
    """
    digits = number_digits(phrase)
    if digits:
        return digits
    count = sum(char.isdigit() for char in phrase)
    if phrase.isalnum() and phrase.isascii() and count >= MIN_KEY_DIGITS:
        return phrase.upper()
    return ""


def match_condition(terms: list[Term]) -> Q:
    """Return the condition for the indexes: LIKE on the trigram index of the
    search text without spaces, then on the search text itself, and prefixes
    on the b-tree indexes of the key columns."""
    condition = Q()
    for term in terms:
        alternatives = Q()
        if term.phrase:
            compact = Contains(
                search_text_without_spaces(), term.phrase.replace(" ", "")
            )
            alternatives |= Q(compact) & Q(search_text__contains=term.phrase)
        if term.key:
            alternatives |= _key_condition(term)
        condition &= alternatives
    return condition


def matches_cadastral_number(term: Term) -> bool:
    """True when the term's key is a number long enough to be searched at the
    start of the cadastral number (número predial)."""
    return term.key.isdigit() and len(term.key) >= MIN_CADASTRAL_DIGITS


def _key_condition(term: Term) -> Q:
    """Return the condition that the code, billing account or ID starts with the
    term's key, or, for a long number, the cadastral number does."""
    # The billing-account index leaves blank values out; the second condition
    # lets the planner use it.
    condition = (
        Q(account_code__startswith=term.key)
        | (Q(billing_account__startswith=term.key) & ~Q(billing_account=""))
        | Q(id_number__startswith=term.id_key)
    )
    if matches_cadastral_number(term):
        condition |= Q(cadastral_number__startswith=term.key)
    if term.id_and_check_digit:
        number, check_digit = term.id_and_check_digit
        condition |= Q(id_number=number, check_digit=check_digit)
    return condition
