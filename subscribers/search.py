"""Registry search: the terms of a query and the conditions that find them.

A query is split into terms that every match must contain. A term of words is
found in the folded name, address and barrio (`search_text`). A number is
matched at the start of the account code, the billing account and the ID, and
a number of 10 digits or more also at the start of the cadastral number.
Street words match whole words only, so «calle» finds «CL 10» but not
«Claudia», and a word that begins one («carre», «diag») finds either the
street word or the text as typed. A house number typed without «#» («cra 10
14-02») also finds the address written with it, and a street word glued to its
number («cra10») is read as both. A house number typed with a space for its
dash («14 64», «cra 10 14 64», «inversiones 14 64») also finds the address
written with the dash, and so does a street's number and a house number
without «#» («39 14 64»). A short number next to a name or barrio word
(«cabrera 39», «villa rosa 39») is a term of its own, found where a word or
the part after a dash begins with it («CL 39», «12-39», «CL 390»), because the
name, the address and the barrio follow one another in the search text and
the number is rarely next to the word.
`subscribers.pages` reads the pages of matches.
"""

import re
from dataclasses import dataclass

from django.db.models import Q
from django.db.models.lookups import Contains

from core.text import (
    fold,
    street_abbreviation,
    street_abbreviation_of_prefix,
)
from subscribers.models import padded_search_text, search_text_without_spaces

# Shorter queries match too much to be worth searching; the form rejects them.
MIN_QUERY_LENGTH = 3
# A word shorter than this is searched together with its neighbours: "cl",
# "4" or "e" alone match most accounts, and trigrams need three characters.
SHORT_WORD = 3
# Characters a LIKE pattern needs for the trigram index to serve it.
TRIGRAM_LENGTH = 3
# A number needs this many digits to be matched against codes and IDs.
MIN_KEY_DIGITS = 3
# A number needs this many digits to be matched against the start of the
# 30-digit cadastral number. Its first 5 digits are the municipality's DANE
# code and the next 4 the zone and sector, so a shorter prefix would match a
# whole municipality or sector.
MIN_CADASTRAL_DIGITS = 10

# Digits and the separators people type inside codes and IDs.
_NUMBER = re.compile(r"[\d\s.,\-/]+")
# The street's number and the house number after it («10» and «14-02» in «cra
# 10 14-02»). Addresses put «#» between them, which people often leave out.
_STREET_NUMBER = re.compile(r"\d+[a-z]{0,3}|bis")
_HOUSE_NUMBER = re.compile(r"\d+[a-z]{0,3}-\d+[a-z]{0,3}")
# A house number's two parts typed apart («14 64») or with its dash («14-64»)
# as the whole query. Each part has at most three digits, so codes
# («449-000663») and IDs or phones typed in groups («310 555 1234») are not
# read as one.
_SPLIT_HOUSE_NUMBER = re.compile(r"(\d{1,3}) ?[ -] ?(\d{1,3})")
# A part of a house number, such as the «14» and the «64» of «14 64».
_HOUSE_NUMBER_PART = re.compile(r"\d+[a-z]{0,3}")
# A street's number and a house number as the whole query, without «#»
# («39 14-64», «39 14 64»). A house number does not start with 0, which
# keeps codes typed in groups («449 000 663») to the code search.
_STREET_AND_HOUSE_NUMBER = re.compile(r"(\d{1,3}) ([1-9]\d{0,2}) ?[ -] ?(\d{1,3})")
# A plain number of a query's words, which a house number's part may be.
_PLAIN_NUMBER = re.compile(r"\d{1,3}")
# A phrase that is a house number, alone or after the street's number with or
# without «#» («14-64», «39 # 14-64», «10 5-20»). Each part of the house number has
# at most three digits, as in _SPLIT_HOUSE_NUMBER, so «449-000663» is a code.
_HOUSE_NUMBER_PHRASE = re.compile(
    r"(\d+[a-z]{0,3} (# )?)?\d{1,3}[a-z]{0,3}-\d{1,3}[a-z]{0,3}"
)


@dataclass(frozen=True)
class Term:
    """One part of a query that every match must contain: one of `phrases`
    inside the search text, or `key` at the start of an account code, billing
    account or ID. Any of them matches.

    A phrase that begins or ends with a street word has a space there. It is
    looked for in the search text with a space added at both ends, so that
    " cl " matches the street word and not «claudia». A house number typed as
    the whole query begins with a space too, so " 14-64" finds «14-64» and
    «14-64A» but not «114-64», and so does a short number searched apart
    from the words around it (" 39", see number_term).
    """

    phrases: tuple[str, ...] = ()
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
    "901765545-3") is one number, matched against codes and IDs. When it is
    the two parts of a house number («14 64» or «14-64»), it is also looked
    for in the search text as «14-64» at the start of a word. Other
    queries are folded words (see query_words): street words are spelled as
    the search text spells them ("calle" and "cll" become "cl", "no." becomes
    "#") and match whole words only. A word shorter than three characters
    joins the word after it, or the one before it at the end, so "km 4 via
    melgar" looks for "km 4 via" and "melgar", and "cl 10" for "cl 10" as
    written. A lone short number next to a word of letters is a term of its
    own instead (see phrases and number_term). A phrase that looks like a
    code or ID ("1019968196", "AB123456") may match the search text or the
    start of a code or ID.
    """
    folded = fold(query)
    if len(folded) < MIN_QUERY_LENGTH:
        return []
    digits = number_digits(query)
    if digits:
        house_number = _SPLIT_HOUSE_NUMBER.fullmatch(folded)
        if house_number:
            return [Term((" " + "-".join(house_number.groups()),), digits)]
        address = _STREET_AND_HOUSE_NUMBER.fullmatch(folded)
        if address:
            street, first, second = address.groups()
            return [Term((f" {street} # {first}-{second}",), digits)]
        return [Term(key=digits)]
    terms = []
    for group in phrases(_join_split_house_number(query_words(folded))):
        if len(group) == 1 and is_short_number(group[0]):
            terms.append(number_term(group[0].text))
            continue
        variants = phrase_variants(group)
        terms.append(Term(variants, key_text(variants[0].strip())))
    return terms


def number_term(number: str) -> Term:
    """Return the term of a short number searched apart from the words around
    it: the number at the start of a word («kr 39», «# 39-12») or right after
    a dash («12-39»). It may also begin a longer number («390»), as «cl 39»
    finds «cl 390»."""
    # NOTE: no index serves this term, so the exact route reads every account
    # that the other words match. After a common barrio («villa rosa 39») that
    # is 2 % of the registry (see docs/benchmark-notes.md).
    return Term((" " + number, "-" + number))


@dataclass(frozen=True)
class Word:
    """A word of a query. `text` is searched as written, and as a whole word
    when `is_street` is true (a street word in its short spelling). A word
    that begins a street word («carre») keeps its text and has the street
    word's short spelling in `street`, which the phrase may contain in its
    place as a whole word."""

    text: str
    is_street: bool = False
    street: str = ""


# A street word glued to its number («cra10», «cl5a»).
_GLUED_STREET = re.compile(r"([a-z°]+\.?)(\d+[a-z]{0,3})")


def query_words(folded: str) -> list[Word]:
    """Split a folded query into words, with "#" as a word of its own and a
    street word glued to its number («cra10») as two words."""
    if "#" in folded:
        folded = folded.replace("#", " # ")
    words = []
    for text in _split_glued_streets(folded.split()):
        prefix_of = street_abbreviation_of_prefix(text)
        if prefix_of:
            words.append(Word(text, street=prefix_of))
            continue
        short = street_abbreviation(text)
        if short:
            words.append(Word(short, is_street=True))
        else:
            words.append(Word(text))
    return words


def _split_glued_streets(texts: list[str]) -> list[str]:
    result = []
    for text in texts:
        glued = _GLUED_STREET.fullmatch(text)
        if glued and street_abbreviation(glued.group(1)):
            result += [glued.group(1), glued.group(2)]
        else:
            result.append(text)
    return result


def phrases(words: list[Word]) -> list[list[Word]]:
    """Join each run of short words to the word after it (or before it). A run
    that is a street and its number («cl 10») stays a phrase of its own, so
    «cra 10 almendros» looks for «kr 10» and «almendros» apart. So does a lone
    short number next to a word of letters («cabrera 39», «39 villa»), because
    the name, the address and the barrio follow one another in the search text
    and the number is rarely next to the word. A number after a word that
    begins a street word is the street's («carre 10 almendros»)."""
    result, pending = [], []
    for word in words:
        if len(word.text) < SHORT_WORD:
            pending.append(word)
            continue
        if _is_street_and_number(pending):
            result.append(pending)
            pending = []
        elif _is_number_apart(pending, word):
            if result and result[-1][-1].street:
                result[-1] = [*result[-1], *pending]
            else:
                result.append(pending)
            pending = []
        result.append([*pending, word])
        pending = []
    if not pending:
        return result
    if result and not (
        _is_street_and_number(pending) or _is_number_apart(pending, result[-1][-1])
    ):
        result[-1] = [*result[-1], *pending]
    else:
        result.append(pending)
    return result


def _is_number_apart(words: list[Word], neighbour: Word) -> bool:
    """True when `words` are one short number («39», «5a») to be searched apart
    from `neighbour`, a word of letters. A word that begins a street word
    («carre 10», «diag 4») keeps its number, which is the street's."""
    return (
        len(words) == 1
        and is_short_number(words[0])
        and neighbour.text.isalpha()
        and not neighbour.street
    )


def is_short_number(word: Word) -> bool:
    """True when `word` is a number too short to be a phrase of its own."""
    return len(word.text) < SHORT_WORD and bool(_HOUSE_NUMBER_PART.fullmatch(word.text))


def _is_street_and_number(words: list[Word]) -> bool:
    """True when `words` are a street word followed by its number («kr 10»)."""
    return (
        len(words) >= 2
        and words[0].is_street
        and all(_STREET_NUMBER.fullmatch(word.text) for word in words[1:])
    )


def phrase_variants(words: list[Word]) -> tuple[str, ...]:
    """Return the phrase of `words` as written and, when a word begins a street
    word, the phrase with that street word in its place. A house number typed
    right after the street's number («cra 10 14-02») adds the same phrases with
    «#» between them. A street word at either end of a phrase gets a space on
    that side (see Term)."""
    variants = _street_variants(words)
    signed = _with_number_sign(words)
    if signed is not None:
        variants += _street_variants(signed)
    joined = _with_house_number_joined(words)
    if joined is not None:
        variants += _street_variants(joined)
        signed = _with_number_sign(joined)
        if signed is not None:
            variants += _street_variants(signed)
    return variants


def _join_split_house_number(words: list[Word]) -> list[Word]:
    """Return `words` with the last two of a run of plain numbers joined as a
    house number («inversiones 14 64» and «39 14 64» become «inversiones
    14-64» and «39 14-64»). Numbers right after «#» or after a street word
    and its number are left to phrase_variants, which tries them both ways,
    and so is a number right after a street word («cl 14 64»), which is the
    street's."""
    for index in range(len(words) - 2, -1, -1):
        first, second = words[index], words[index + 1]
        if not (
            _PLAIN_NUMBER.fullmatch(first.text) and _PLAIN_NUMBER.fullmatch(second.text)
        ):
            continue
        after = words[index + 2] if index + 2 < len(words) else None
        if after is not None and _PLAIN_NUMBER.fullmatch(after.text):
            continue
        before = words[index - 1] if index >= 1 else None
        if before is not None and (before.is_street or before.text == "#"):
            return words
        if index >= 2 and words[index - 2].is_street:
            return words
        house_number = Word(f"{first.text}-{second.text}")
        return [*words[:index], house_number, *words[index + 2 :]]
    return words


def _with_house_number_joined(words: list[Word]) -> list[Word] | None:
    """Return `words` with the two parts of a house number typed apart joined
    by its dash, or None when there are none. «kr 10 14 64» becomes «kr 10
    14-64», and «kr 10 # 14 64» becomes «kr 10 # 14-64». The parts must
    follow «#» or a street word and its number, so «cl 14 64» stays as typed."""
    for index in range(1, len(words) - 1):
        first, second = words[index], words[index + 1]
        if not (
            _HOUSE_NUMBER_PART.fullmatch(first.text)
            and _HOUSE_NUMBER_PART.fullmatch(second.text)
        ):
            continue
        after_sign = words[index - 1].text == "#"
        after_street_number = (
            index >= 2
            and words[index - 2].is_street
            and _STREET_NUMBER.fullmatch(words[index - 1].text)
        )
        if after_sign or after_street_number:
            house_number = Word(f"{first.text}-{second.text}")
            return [*words[:index], house_number, *words[index + 2 :]]
    return None


def _with_number_sign(words: list[Word]) -> list[Word] | None:
    """Return `words` with «#» before the first house number that follows the
    street's number without it, or None when there is none."""
    if any(word.text == "#" for word in words):
        return None
    for index in range(1, len(words)):
        if _HOUSE_NUMBER.fullmatch(words[index].text) and _STREET_NUMBER.fullmatch(
            words[index - 1].text
        ):
            return [*words[:index], Word("#"), *words[index:]]
    return None


def _street_variants(words: list[Word]) -> tuple[str, ...]:
    written = _phrase([(word.text, word.is_street) for word in words])
    if not any(word.street for word in words):
        return (written,)
    street = _phrase(
        [
            (word.street, True) if word.street else (word.text, word.is_street)
            for word in words
        ]
    )
    return (written, street)


def _phrase(words: list[tuple[str, bool]]) -> str:
    phrase = " ".join(text for text, _is_street in words)
    if words[0][1]:
        phrase = " " + phrase
    if words[-1][1]:
        phrase += " "
    return phrase


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
        # The index serves a term only when it serves each of its phrases, so
        # a term with a phrase such as " 39" filters the rows that the other
        # terms find, and the LIKE on the index would only cost time.
        indexed = all(has_trigrams(phrase) for phrase in term.phrases)
        for phrase in term.phrases:
            alternatives |= _phrase_condition(phrase, indexed)
        if term.key:
            alternatives |= _key_condition(term)
        condition &= alternatives
    return condition


def reads_as_house_number(term: Term) -> bool:
    """True when the term is a number that reads as a house number, alone or
    after the street's number («14 64», «cra 10 14-02», «39 14 64»), and may
    also be the start of a code or ID."""
    return term.key.isdigit() and any(
        _HOUSE_NUMBER_PHRASE.fullmatch(phrase.strip()) for phrase in term.phrases
    )


def address_condition(terms: list[Term]) -> Q | None:
    """Return the condition that an account matches in its search text every
    term that reads as a house number, or None when no term does. The
    registry list shows these matches before those of the codes and IDs."""
    house_numbers = [term for term in terms if reads_as_house_number(term)]
    if not house_numbers:
        return None
    condition = Q()
    for term in house_numbers:
        alternatives = Q()
        for phrase in term.phrases:
            alternatives |= _text_condition(phrase)
        condition &= alternatives
    return condition


def matches_cadastral_number(term: Term) -> bool:
    """True when the term's key is a number long enough to be searched at the
    start of the cadastral number (número predial)."""
    return term.key.isdigit() and len(term.key) >= MIN_CADASTRAL_DIGITS


def has_trigrams(phrase: str) -> bool:
    """True when the trigram index of the text without spaces can serve
    `phrase`, which needs three characters besides its spaces."""
    return len(phrase.replace(" ", "")) >= TRIGRAM_LENGTH


def _phrase_condition(phrase: str, indexed: bool) -> Q:
    condition = _text_condition(phrase)
    if not indexed:
        # A LIKE without trigrams would read the whole trigram index, so the
        # other terms' indexes find the rows and this condition filters them.
        return condition
    compact = Contains(search_text_without_spaces(), phrase.replace(" ", ""))
    return Q(compact) & condition


def _text_condition(phrase: str) -> Q:
    if phrase == phrase.strip():
        return Q(search_text__contains=phrase)
    # A street word at an end of the phrase must be a whole word, and a
    # number that begins with a space must begin a word.
    return Q(Contains(padded_search_text(), phrase))


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
