"""Full-text search over ``search_docs``: literal queries, section-level hits, snippets.

User input is never FTS5 syntax: ``loader.tokens.match_expression`` quotes
every term. A term of one CJK character is found by the index too, with the
bigrams that end with it (which the store keeps: api.index_vocabulary).
Queries the index cannot answer exactly (a lone CJK character inside a longer
term, ``a芯``, or no word characters at all) fall back to a literal ``instr()``
scan of the stored text (narrowed by the index to the texts that hold the
query's CJK characters, when it has some), so every query either finds
something or finds nothing, and never errors. Punctuation the index leaves
out inside a term (``c++``, ``node.js``) is checked the same way in the texts
the index finds (loader.tokens.literal_pieces).
"""

from __future__ import annotations

import html
import json
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from api.drafts import search_expression
from api.index_vocabulary import vocabulary_of
from api.pagination import Order, Page, PageRequest, keyset_page
from loader.fold import fold, fold_with_positions, sources
from loader.search_bigrams import tokenizer_keeps
from loader.search_docs import search_text_sql
from loader.tokens import (cjk_expression, holds_left_out, literal_pieces, match_expression,
                           pieces, runs, trimmed)

SNIPPET_CHARS = 160

# The docs' texts live in their nodes' columns (loader.search_docs.SEARCH_TEXTS).
_TEXT = search_text_sql("d")


def _texts(where: str = "", limit: int = -1) -> str:
    """A subquery of (id, text) of the search docs ``where`` selects (an SQL
    clause on ``d``), the first ``limit`` of them. Its LIMIT (even -1, none)
    keeps SQLite from flattening it into the query around it, which would look
    the text up again for every mention of ``text`` there: scanning every text
    for + took 2.9 s with a condition naming it six times, 1.4 s with the text
    read once."""
    return f"SELECT d.id AS id, {_TEXT} AS text FROM search_docs d {where} LIMIT {int(limit)}"


def _needs_scan(query: str, conn: sqlite3.Connection | None) -> bool:
    """True when FTS cannot answer exactly: no searchable text, a lone CJK character
    inside a term (``a芯``), or a term of one CJK character that the index cannot
    find wherever it stands (api.index_vocabulary: without the vocabulary, or a
    character its tokenizer does not keep, such as ・)."""
    if match_expression(query) is None:
        return True
    for term in fold(query).split():
        term_runs = runs(term)
        lone = [run for run, cjk in term_runs if cjk and len(run) == 1]
        if not lone:
            continue
        if len(term_runs) > 1 or not tokenizer_keeps(lone[0]) or vocabulary_of(conn) is None:
            return True
    return False


def _scan_terms(query: str) -> list[str]:
    return [term for term in map(trimmed, fold(query).split()) if term]


# A prefilter ORs one instr() per source of a character: past this many it
# costs about what the fold it saves does (an instr 0.2 µs a text, a fold 6).
_SOURCES_AT_MOST = 32
# Pieces of punctuation checked per query (c++, node.js, 3.5): more are read as
# a slip, their words alone searched (so a long query cannot ask for many scans).
_PIECES_AT_MOST = 4
# Texts the words find that are read for a piece's punctuation: enough to find
# it where it is written, and a bound on the work when it is written nowhere
# (.模型: the 89,000 texts that hold 模型 at 10,000 articles, 0.73 s).
_TEXTS_READ_FOR_PIECES = 20_000  # instr() over the raw text, 0.2 µs a source
_TEXTS_FOLDED_FOR_PIECES = 5000  # of those, the ones that may hold a piece
_HELD_PIECES_KEPT = 256  # queries per connection


def _prefilter(needle: str) -> tuple[str, list] | None:
    """An SQL condition on the raw ``text`` that every text whose fold holds
    ``needle`` meets: it holds a source of one of the needle's characters
    (loader.fold.sources), of a character the index leaves out if one has few
    enough (within texts the index found for c++, + rules out, c does not), else
    of the one with the fewest. None if every character has too many."""
    chars = set(unicodedata.normalize("NFKD", needle))
    for group in ([ch for ch in chars if holds_left_out(ch)], chars):
        fewest = min(map(sources, group), key=len, default=())
        if 0 < len(fewest) <= _SOURCES_AT_MOST:
            return "(" + " OR ".join("instr(text, ?) > 0" for _ in fewest) + ")", sorted(fewest)
    return None


def _folded(texts: str, needles: list[str], every: bool = True, limit: int = -1
            ) -> tuple[str, list]:
    """A subquery of (id, text, folded) over ``texts`` (a _texts() subquery),
    each text folded once (a Python call, 6 µs) and only if its raw form may hold
    every needle (``every``) or any of them (_prefilter), the first ``limit``
    such: "++" folded every text in 4.1 s at 10,000 articles, the texts holding
    + in 1.5 s."""
    conditions, params, seen = [], [], set()
    for needle in needles:
        found = _prefilter(needle)
        if found is None and not every:  # any needle: without a test for one, no test
            conditions, params = [], []
            break
        if found is not None and tuple(found[1]) not in seen:  # .ai ..ai: one test
            seen.add(tuple(found[1]))
            conditions.append(found[0])
            params.extend(found[1])
    where = (" WHERE " + (" AND " if every else " OR ").join(conditions)) if conditions else ""
    return (f"SELECT id, text, fold(text) AS folded FROM ({texts}){where} "
            f"LIMIT {int(limit)}", params)


# A scan's rank: occurrences of its first term, damped by length (crude but stable).
_SCAN_SCORE = ("(CAST(length(folded) - length(replace(folded, ?, '')) AS REAL) / length(?)) "
               "/ (1.0 + length(text) / 200.0)")


def _holding(texts: str, texts_params: list, needles: list[str], scored: bool = False
             ) -> tuple[str, list]:
    """The ids of ``texts`` whose fold holds every needle (folded), as the index
    compares; with ``scored``, and their scan rank (score)."""
    folded, params = _folded(texts, needles)
    held = " AND ".join("instr(folded, ?) > 0" for _ in needles)
    if not scored:
        return f"SELECT id FROM ({folded}) WHERE {held}", [*texts_params, *params, *needles]
    return (f"SELECT id, {_SCAN_SCORE} AS score FROM ({folded}) WHERE {held}",
            [needles[0], needles[0], *texts_params, *params, *needles])


def _match(conn: sqlite3.Connection | None, query: str) -> str:
    """The MATCH expression for ``query`` on this connection (drafts left out if hidden)."""
    def endings(char: str) -> list[str]:  # asked only for a term of one findable character
        vocabulary = vocabulary_of(conn)
        return vocabulary.endings(char) if vocabulary is not None else []
    return search_expression(match_expression(query, endings=endings),
                             getattr(conn, "drafts_hidden", False))


def matching_docs(query: str, conn: sqlite3.Connection | None = None) -> tuple[str, list]:
    """A subquery selecting the ids (``id``) of the search docs that match ``query``,
    and its params."""
    if _needs_scan(query, conn):
        scanned, params = _scanned_docs(query, conn)
        return f"SELECT id FROM ({scanned})", params
    return _index_docs(query, conn, _held_pieces(query, conn))


_MATCHED = "SELECT rowid AS id FROM search_fts WHERE search_fts MATCH ?"


def _index_docs(query: str, conn: sqlite3.Connection | None, literal: list[str]
                ) -> tuple[str, list]:
    """matching_docs for a query the index answers: its match, narrowed to the
    texts that hold each of ``literal`` as written ("c++": the index finds the
    word c, and the texts it finds must hold c++)."""
    if not literal:
        return _MATCHED, [_match(conn, query)]
    found = _holding(_texts(f"WHERE d.id IN ({_MATCHED})"), [_match(conn, query)], literal)
    # Kept as a scan's are: "平衡，才能" folds most of the 72,000 texts its words find.
    return _kept_rows(conn, ("pieces", getattr(conn, "drafts_hidden", False), query,
                             tuple(literal)), *found, ("id",))


def _held_pieces(query: str, conn: sqlite3.Connection | None) -> list[str]:
    """The query's literal pieces (loader.tokens.literal_pieces, the first
    _PIECES_AT_MOST) that some text the index finds for its words holds (one of
    the first _TEXTS_READ_FOR_PIECES, of which at most _TEXTS_FOLDED_FOR_PIECES
    may hold one). The others are taken for a slip or for search syntax brought
    from elsewhere (``*芯片``, ``privacy+``, ``+ai``), and their words are
    searched alone. Kept per connection (one version of the store), as a count
    and a page ask."""
    literal = literal_pieces(query)[:_PIECES_AT_MOST]
    if not literal or conn is None:
        return literal

    def held() -> list[str]:
        # One pass over the texts the words find, each folded once (or not at
        # all if it holds no source of any piece's punctuation).
        folded, params = _folded(_texts(f"WHERE d.id IN ({_MATCHED})", _TEXTS_READ_FOR_PIECES),
                                 literal, every=False, limit=_TEXTS_FOLDED_FOR_PIECES)
        columns = ", ".join("max(instr(folded, ?) > 0)" for _ in literal)
        row = conn.execute(f"SELECT {columns} FROM ({folded})",
                           [*literal, _match(conn, query), *params]).fetchone()
        return [piece for piece, found in zip(literal, row) if found]
    return _remembered(conn, "held_pieces", query, held, _HELD_PIECES_KEPT)


def marked_query(query: str, conn: sqlite3.Connection | None) -> str:
    """``query`` as its hits' snippets mark it: a piece of punctuation that no text
    holds (dropped by _held_pieces) is marked as its words, as they were searched."""
    if _needs_scan(query, conn):
        return query
    dropped = set(literal_pieces(query)) - set(_held_pieces(query, conn))
    if not dropped:
        return query
    terms = []
    for term in map(trimmed, fold(query).split()):
        for piece in pieces(term):
            if piece not in dropped:
                terms.append(piece)
            else:  # its words, but not a lone letter or digit (c of c+++): every c would be
                terms.extend(run for run, cjk in runs(piece) if cjk or len(run) > 1)
    return " ".join(terms)


def _scanned_docs(query: str, conn: sqlite3.Connection | None) -> tuple[str, list]:
    """The docs (id, score) of a query the index cannot answer: a literal scan,
    which compares folded text (the connection's ``fold`` function,
    loader/fold.py), as the index does."""
    scan = _scan_terms(query)
    if not scan:
        return "SELECT id, 0.0 AS score FROM search_docs WHERE 0", []
    vocabulary = vocabulary_of(conn)
    narrow = cjk_expression(query, vocabulary.endings, tokenizer_keeps) \
        if vocabulary is not None else None
    if narrow is None:
        found = _holding(_texts(), [], scan, scored=True)
    else:
        # Only the texts that hold the query's CJK characters (the index says
        # which): "AI芯", typed on the way to "AI芯片", scanned every text, 8 s
        # at 10,000 articles.
        narrowed = _texts("WHERE d.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)")
        found = _holding(narrowed, [narrow], scan, scored=True)
    return _kept_rows(conn, ("scan", getattr(conn, "drafts_hidden", False), tuple(scan)),
                      *found, ("id", "score"))


_ROWS_KEPT = 4  # queries per connection
_ROWS_KEPT_AT_MOST = 100_000  # rows of one query, at most a few MB as JSON


def _kept_rows(conn: sqlite3.Connection | None, key: tuple, sql: str, params: list,
               columns: tuple[str, ...]) -> tuple[str, list]:
    """``sql``'s rows (of ``columns``), read once per connection (one version of
    the store) and kept for the next few queries that fold texts: a search asks
    for its count and its page, and a client pages on (++ read every text twice a
    request, 2.6 s at 10,000 articles, and again for each page)."""
    if conn is None or not getattr(conn, "pinned", False):
        return sql, params  # read where it is used, not kept

    def read() -> tuple[str, int]:
        found = [tuple(row) for row in conn.execute(sql, params)]
        return json.dumps(found), len(found)
    rows, _ = _remembered(conn, "kept_rows", key, read, _ROWS_KEPT,
                          keep=lambda read: read[1] <= _ROWS_KEPT_AT_MOST)
    selected = ", ".join(f"value ->> {at} AS {name}" for at, name in enumerate(columns))
    return f"SELECT {selected} FROM json_each(?)", [rows]


def _remembered(conn: sqlite3.Connection | None, store: str, key, make: Callable, size: int,
                keep: Callable = lambda value: True):
    """``make()``, kept in the connection's dict ``store`` (an attribute of
    api.store.ReadOnlyConnection) for the next time ``key`` is asked, if the
    connection is pinned to one version of the store and ``keep(value)``; the
    least recently asked go first past ``size``."""
    if conn is None or not getattr(conn, "pinned", False):
        return make()
    kept = getattr(conn, store)
    if kept is None:
        kept = {}
        setattr(conn, store, kept)
    value = kept.pop(key, None)  # and put back last
    if value is None:
        value = make()
        if not keep(value):
            return value
        while len(kept) >= size:
            del kept[next(iter(kept))]
    kept[key] = value
    return value


@dataclass
class HitFilter:
    """What a search is narrowed to, besides its words (SearchFilter)."""

    kinds: list[str] | None = None
    tags: list[str] | None = None
    date_from: str | None = None
    date_to: str | None = None
    article: str | None = None  # a slug

    @property
    def on_articles(self) -> bool:
        return bool(self.tags or self.date_from or self.date_to or self.article)

    def where(self) -> tuple[list[str], list]:
        clauses, params = [], []
        if self.kinds is not None:  # [] after two disjoint kind lists: nothing
            clauses.append("d.kind IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(self.kinds))
        if self.tags:
            clauses.append("a.id IN (SELECT article_id FROM article_tags WHERE folded IN "
                           "(SELECT value FROM json_each(?)))")
            params.append(json.dumps([fold(tag.strip()) for tag in self.tags]))
        if self.date_from:
            clauses.append("a.date >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append("a.date <= ?")
            params.append(self.date_to)
        if self.article:
            clauses.append("a.slug = ?")
            params.append(self.article)
        return clauses, params


# The keyset of hits: best first, then by document id (api.pagination).
HIT_ORDER = Order((("h.score", "DESC"), ("h.id", "ASC")), indexed=False)


def _hits(conn: sqlite3.Connection, query: str, scored: bool = True) -> tuple[str, list]:
    """A subquery of (id, score) for every search doc matching ``query``; of (id)
    alone unless ``scored``: a count needs no rank (bm25 took 20 of 44 ms counting
    the advice that match "model" at 10,000 articles)."""
    if not scored:
        docs_sql, docs_params = matching_docs(query, conn)
        return f"({docs_sql}) h", docs_params
    if _needs_scan(query, conn):
        docs_sql, docs_params = _scanned_docs(query, conn)  # rows of (id, score)
        return f"({docs_sql}) h", docs_params
    ranked = "SELECT rowid AS id, -bm25(search_fts) AS score FROM search_fts WHERE search_fts MATCH ?"
    literal = _held_pieces(query, conn)
    if not literal:
        return f"({ranked}) h", [_match(conn, query)]
    docs_sql, docs_params = _index_docs(query, conn, literal)  # ranked by the index
    # +rowid: a bare rowid IN (…) is handed to FTS5, which then runs the MATCH
    # again for every id of the list (20 ms to 41 s for a page of 为代表，能耗).
    return f"({ranked} AND +rowid IN ({docs_sql})) h", [_match(conn, query), *docs_params]


def _source(conn: sqlite3.Connection, query: str, hit_filter: HitFilter, scored: bool = True
            ) -> tuple[str, str, list]:
    """(from, where, params) of the hits of ``query`` narrowed by ``hit_filter``."""
    hits_sql, params = _hits(conn, query, scored)
    from_sql = f"{hits_sql} JOIN search_docs d ON d.id = h.id"
    if hit_filter.on_articles:
        from_sql += " JOIN articles a ON a.id = d.article_id"
    clauses, filter_params = hit_filter.where()
    where_sql = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    return from_sql, where_sql, [*params, *filter_params]


def count_hits(conn: sqlite3.Connection, query: str, hit_filter: HitFilter) -> int:
    if not query.strip():
        return 0
    if not _needs_scan(query, conn) and not _held_pieces(query, conn) and hit_filter.kinds is None \
            and not hit_filter.on_articles:
        # the index alone can count: no join
        sql = "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?"
        return conn.execute(sql, [_match(conn, query)]).fetchone()[0]
    from_sql, where_sql, params = _source(conn, query, hit_filter, scored=False)
    return conn.execute(f"SELECT count(*) FROM {from_sql}{where_sql}", params).fetchone()[0]


def hits_page(conn: sqlite3.Connection, query: str, hit_filter: HitFilter,
              request: PageRequest, sign: str) -> Page:
    """One page of matching search docs, best first, each with its ``score``."""
    if not query.strip():
        return Page([], [], False, False)
    from_sql, where_sql, params = _source(conn, query, hit_filter)
    return keyset_page(conn, f"d.*, h.score AS score, {_TEXT} AS text", from_sql, where_sql,
                       params, HIT_ORDER, request, sign)


@lru_cache(maxsize=256)
def _needle_pattern(query: str) -> re.Pattern | None:
    """A pattern for the folded literal pieces of the query worth highlighting."""
    needles: set[str] = set()
    for term in _scan_terms(query):
        needles.add(term)
        for piece in pieces(term):  # c++ as a whole; google芯片 and its words too
            needles.update([piece] if holds_left_out(piece) else (run for run, _ in runs(piece)))
    needles.discard("")
    if not needles:
        return None
    ordered = sorted(needles, key=len, reverse=True)  # longest first: "芯片" before "芯"
    return re.compile("|".join(re.escape(n) for n in ordered))


def _matches(text: str, query: str) -> list[tuple[int, int]]:
    """(start, end) in ``text`` of every match of the query, found in the folded
    text (so 隱私 is marked for 隐私, ＡＩ for ai) and mapped back."""
    pattern = _needle_pattern(query)
    if pattern is None:
        return []
    folded, origins = fold_with_positions(text)
    spans = []
    for match in pattern.finditer(folded):
        if match.end() > match.start():
            spans.append((origins[match.start()], origins[match.end() - 1] + 1))
    return spans


def snippet(text: str, query: str, highlight: bool, width: int = SNIPPET_CHARS) -> str:
    """``width`` characters of ``text`` around the first match; matches in <mark> when highlighting.

    The result is HTML-escaped when highlighting (it is HTML), raw otherwise.
    """
    spans = _matches(text, query)
    start = max(0, spans[0][0] - width // 3) if spans else 0
    end = min(len(text), start + width)
    start = max(0, min(start, end - width))
    window = text[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    if not highlight:
        return prefix + window + suffix
    parts: list[str] = []
    cursor = 0
    for match_start, match_end in spans:
        match_start, match_end = max(match_start - start, cursor), min(match_end - start, len(window))
        if match_end <= match_start:
            continue
        parts.append(html.escape(window[cursor:match_start]))
        parts.append("<mark>" + html.escape(window[match_start:match_end]) + "</mark>")
        cursor = match_end
    parts.append(html.escape(window[cursor:]))
    return prefix + "".join(parts) + suffix
