"""loader/vocabulary.py: the role words' pattern (a trie) finds what a plain scan of
every word finds. Its speed is measured in the benchmark (`make bench`: one file at
the size limit made of headings), never here."""

from __future__ import annotations

from hypothesis import given, strategies as st

from loader.config import DEFAULTS
from loader.fold import fold
from loader.vocabulary import ROLES, _pattern

_GLUE = st.one_of(st.sampled_from(["", " ", "a", "s", "1", "，", "ly", "点"]),
                  st.text(alphabet="abnoprsx 1现状路线", max_size=4))


def _longest_at(words: list[str], text: str, start: int) -> int | None:
    """The end of the longest word that stands at ``start`` (Latin words whole)."""
    ends = []
    for word in words:
        end = start + len(word)
        if text.startswith(word, start) and (not word.isascii() or (
                not (start and _latin(text[start - 1])) and
                not (end < len(text) and _latin(text[end])))):
            ends.append(end)
    return max(ends, default=None)


def _latin(char: str) -> bool:
    return char in "abcdefghijklmnopqrstuvwxyz0123456789"


@given(st.sampled_from(ROLES), st.data())
def test_a_role_pattern_finds_the_first_and_longest_word_a_scan_finds(role, data):
    words = sorted({fold(w) for w in DEFAULTS.vocabulary.words[role] if w.strip()})
    # The role's own words cut short or run on: where a word could end early or late.
    pieces = data.draw(st.lists(st.one_of(st.sampled_from(words), _GLUE), max_size=6))
    cut = data.draw(st.integers(0, 3))
    text = "".join(pieces)[cut:]
    scanned = next(((start, end) for start in range(len(text) + 1)
                    if (end := _longest_at(words, text, start)) is not None), None)
    found = _pattern(words).search(text)
    assert (found.span() if found else None) == scanned


@given(st.lists(st.text(alphabet="ab '-.现状案", min_size=1, max_size=12), min_size=1, max_size=12),
       st.lists(st.text(alphabet="ab '-.现状案1", max_size=6), max_size=6))
def test_a_projects_own_words_are_found_as_a_scan_finds_them(extra, pieces):
    # Words in any mix of scripts and punctuation, sharing starts and ends; folded
    # as the vocabulary folds them (a project's words go through Vocabulary.load).
    words = sorted({fold(w) for w in extra if w.strip()})
    if not words:
        return
    text = "".join(pieces[:3]) + words[0] + "".join(pieces[3:])
    scanned = next(((start, end) for start in range(len(text) + 1)
                    if (end := _longest_at(words, text, start)) is not None), None)
    found = _pattern(words).search(text)
    assert (found.span() if found else None) == scanned


def test_a_long_word_and_words_nested_a_hundred_deep_compile():
    assert _pattern(["x" * 5000]).search("y " + "x" * 5000).span() == (2, 5002)
    nested = _pattern(["a" * n for n in range(1, 101)])
    assert nested.match("a" * 100 + " ").end() == 100


def test_words_that_share_a_start_match_the_longest_that_stands_whole():
    pattern = _pattern(["pro", "pros", "pros and cons", "优", "优点"])
    assert pattern.match("pros and cons:").end() == len("pros and cons")
    assert pattern.match("pros and consumers").end() == len("pros")
    assert pattern.match("prose") is None
    assert pattern.search("repros") is None
    assert pattern.match("优点很多").end() == 2
    mixed = _pattern(["pro", "pro案", "案"])  # a project's own words may mix scripts
    assert mixed.match("pro案a").end() == 4
    assert mixed.match("pro a").end() == 3
    assert mixed.search("apro案").span() == (1, 5)  # a mixed word is not a whole word
    assert mixed.search("apro") is None
    assert _pattern([" ", ""]) is None
