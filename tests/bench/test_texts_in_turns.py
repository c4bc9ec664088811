"""Texts in turns (bench/texts_in_turns.py): (a) with literal slugs, run on a real store."""

from __future__ import annotations

from bench import queries, texts_in_turns
from loader.load import load_content
from tests.support.paths import CONTENT


def test_each_text_asks_for_its_own_article_with_the_query_of_a():
    texts = texts_in_turns.literal_texts(["one", "two"], 3)
    assert len(set(texts)) == 3
    assert 'article(slug: "one")' in texts[0] and 'article(slug: "two")' in texts[1]
    assert texts[2].startswith(texts[0]) and texts[2] != texts[0]  # a comment: another text
    # Only the operation's head and the argument differ from (a).
    assert texts[0].split("{", 2)[2] == queries.ARTICLE.split("{", 2)[2]


def test_a_short_run_reports_a_time_per_round(tmp_path):
    db = tmp_path / "content.db"
    load_content(CONTENT, db)
    results = texts_in_turns.measure(db, [1, 3], least=20)  # answers with errors raise
    assert sorted(results) == [1, 3]
    assert all(len(rounds) == texts_in_turns.ROUNDS and min(rounds) > 0
               for rounds in results.values())
