"""The role words of the article format, read from vocabulary.toml (data, not code).

``Vocabulary`` answers the questions the article reader asks of a heading
or a lead-in: which part role a heading names, whether a lead-in is a pro or
a con, whether a heading starts with a label word ("路线 A：…") and whether a
paragraph opens with an ordinal ("首先，…"). Every comparison is made on
folded text (loader/fold.py), so Traditional and Simplified Chinese,
full-width forms and letter case all match the same words.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterable, Mapping

from .fold import fold

DATA_FILE = Path(__file__).with_name("vocabulary.toml")

HEADING_ROLES = ("intro", "status", "routes", "advice", "summary", "trailing")
LEAD_ROLES = ("pros", "cons")
PREFIX_ROLES = ("route_label", "trend_label", "ordinals")
ROLES = HEADING_ROLES + LEAD_ROLES + PREFIX_ROLES
LANGUAGES = ("zh", "ja", "en")

# Punctuation and symbols around a lead-in that are not part of the word:
# "**优点：**", "Pros -", "✅ 优点".
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


_WORD_CHAR = "a-z0-9"  # a Latin word's letters, after folding
# The longest role word a project may add, folded (loader/config.py checks it): the
# pattern nests a group wherever words part ways, and Python's regex parser takes
# about two calls per group (it fails near 495 levels with nothing else on the
# stack). The longest built-in word has 26 characters.
MAX_WORD_CHARS = 100


def _pattern(words: Iterable[str]) -> re.Pattern | None:
    """One pattern for folded ``words``; words in Latin letters match whole
    words only. At one place it matches the longest word that fits, as an
    alternation of the words longest first would.

    The words are written as a trie ("c(?:on(?:s|clusion)|…)"), not as an
    alternation: a search then skips, in C, every place where no word starts,
    and tries one branch per character, not every word. On a title naming no
    role that is about fifty times faster, which a file made of thousands of
    headings feels.
    """
    trie: dict = {}
    for word in {fold(w) for w in words if w.strip()}:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = word
    return re.compile(_branches(trie)) if trie else None


def _branches(root: dict) -> str:
    """The pattern of a trie: at each node its continuations, longest first, then
    the word that ends there. Built from the leaves up with a stack of its own, so
    a long word costs no Python recursion."""
    done: dict[int, str] = {}  # id(node) -> its pattern
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for char, child in node.items() if char)
            continue
        branches = [re.escape(char) + done.pop(id(child))
                    for char, child in sorted(node.items()) if char]
        word = node.get("")
        if word is not None:
            # A Latin word has nothing of a word after it, nor before it: the
            # look-behind spans the word, so every word's first character stays a
            # plain literal, which is what lets a search skip places in C.
            whole = f"(?![{_WORD_CHAR}])(?<![{_WORD_CHAR}]{re.escape(word)})"
            branches.append(whole if word.isascii() else "")
        done[id(node)] = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return done[id(root)]


@dataclass(frozen=True)
class Vocabulary:
    """Words per role (every language together), as written in the data."""

    words: Mapping[str, tuple[str, ...]]

    @classmethod
    def load(cls, extra: Mapping[str, Iterable[str]] | None = None) -> "Vocabulary":
        """The built-in words, plus ``extra`` words per role (a project's own)."""
        with open(DATA_FILE, "rb") as handle:
            data = tomllib.load(handle)
        words: dict[str, list[str]] = {role: [] for role in ROLES}
        for language in LANGUAGES:
            for role, listed in data.get(language, {}).items():
                words[role].extend(listed)
        for role, listed in (extra or {}).items():
            words[role].extend(listed)
        return cls({role: tuple(dict.fromkeys(listed)) for role, listed in words.items()})

    def as_data(self) -> dict[str, list[str]]:
        return {role: list(words) for role, words in sorted(self.words.items())}

    @cached_property
    def _heading_patterns(self) -> dict[str, re.Pattern | None]:
        return {role: _pattern(self.words[role]) for role in HEADING_ROLES}

    @cached_property
    def _leads(self) -> dict[str, str]:
        leads = {}
        for role, kind in (("cons", "con"), ("pros", "pro")):  # pros win a tie
            leads.update((fold(word), kind) for word in self.words[role])
        return leads

    @cached_property
    def _label_words(self) -> dict[str, re.Pattern | None]:
        return {role: _pattern(self.words[role]) for role in ("route_label", "trend_label")}

    @cached_property
    def _ordinals(self) -> re.Pattern | None:
        pattern = _pattern(self.words["ordinals"])
        return re.compile(rf"(?:{pattern.pattern})(?=\s*[,，、:：])") if pattern else None

    @cached_property
    def _roles_seen(self) -> dict[str, frozenset[str]]:
        return {}  # headings repeat from article to article ("技术现状"): read each once

    def heading_roles(self, title: str) -> frozenset[str]:
        """Every heading role whose words occur in ``title``."""
        found = self._roles_seen.get(title)
        if found is None:
            folded = fold(title)
            found = frozenset(role for role, pattern in self._heading_patterns.items()
                              if pattern is not None and pattern.search(folded))
            if len(self._roles_seen) < 4096:
                self._roles_seen[title] = found
        return found

    def point_kind(self, lead: str | None) -> str | None:
        """'pro' or 'con' when ``lead`` is a pros or cons lead-in, else None."""
        if not lead:
            return None
        # Symbols around the word are decoration: "✅ 优点", "👎 Cons:".
        return self._leads.get(fold(_EDGES.sub("", lead)))

    def label_word(self, role: str, text: str) -> int:
        """The length of a label word (``role`` route_label or trend_label) that
        opens ``text``, or 0."""
        pattern = self._label_words[role]
        if pattern is None:
            return 0
        # Folding keeps the length of CJK and ASCII text; a label word is matched
        # only where it does (NFKC may turn one full-width character into two).
        head = text[:24]
        folded = fold(head)
        if len(folded) != len(head):
            return 0
        match = pattern.match(folded)
        return match.end() if match else 0

    def ordinal(self, text: str) -> str | None:
        """The ordinal word that opens ``text`` followed by a comma or colon, or None."""
        if self._ordinals is None:
            return None
        head = text[:24]
        folded = fold(head)
        match = self._ordinals.match(folded)
        if not match or len(folded) != len(head):
            return None
        return head[:match.end()]
