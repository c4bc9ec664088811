"""The synthetic benchmark corpus: deterministic, seed-shaped as the loader sees it, and
with its marker terms exactly where bench.corpus says they are."""

from __future__ import annotations

import sqlite3

import pyromark
import pytest

from bench import corpus
from bench.loader_bench import body_of
from loader.load import load_content

COUNT = 60


def test_same_arguments_give_the_same_bytes_and_another_seed_does_not():
    first = [a.text for a in corpus.generate(20)]
    assert first == [a.text for a in corpus.generate(20)]
    assert corpus.make_article(7).text == first[7]
    assert first != [a.text for a in corpus.generate(20, seed=corpus.DEFAULT_SEED + 1)]


def test_slugs_are_unique_and_languages_mix_two_to_one():
    articles = list(corpus.generate(300))
    assert len({a.slug for a in articles}) == 300
    assert sum(a.language == "zh" for a in articles) == 200


@pytest.mark.parametrize("term", sorted(corpus.MARKERS))
def test_marker_terms_occur_exactly_in_the_expected_articles(term):
    articles = list(corpus.generate(500))
    found = [a.slug for a in articles if term in a.text]
    assert found == corpus.expected_slugs(term, 500)
    assert found, f"{term} should occur at least once in 500 articles"


def test_filler_never_contains_a_marker():
    assert corpus.check_vocabulary() == []


def test_body_of_unwraps_the_fence_to_the_h1():
    fenced = next(a for a in corpus.generate(20) if "```markdown" in a.text)
    body = body_of(fenced.text)
    assert body.startswith("# ")
    assert "```" not in body


def _h2_count(text: str) -> int:
    events = pyromark.events(body_of(text))
    return sum(1 for e in events if isinstance(e, dict) and "Start" in e
               and isinstance(e["Start"], dict) and e["Start"].get("Heading", {}).get("level") == "H2")


def test_the_loader_reads_every_article_with_its_trends_and_the_summary(tmp_path):
    paths = corpus.write_corpus(tmp_path / "content", COUNT)
    report = load_content(tmp_path / "content", tmp_path / "content.db")
    assert report.counts["articles"] == COUNT
    conn = sqlite3.connect(tmp_path / "content.db")
    for article in corpus.generate(COUNT):
        trends, summary, routes_without_cons = conn.execute(
            "SELECT (SELECT count(*) FROM trends t WHERE t.article_id = a.id), a.summary_md, "
            "(SELECT count(*) FROM routes r WHERE r.article_id = a.id AND NOT EXISTS "
            " (SELECT 1 FROM route_points p WHERE p.route_id = r.id AND p.kind = 'con')) "
            "FROM articles a WHERE a.slug = ?", (article.slug,)).fetchone()
        # Every H2 but the closing one is a trend; every route has cons.
        assert trends == _h2_count(article.text) - 1, article.slug
        assert summary, article.slug
        assert routes_without_cons == 0, article.slug
    assert len(paths) == COUNT
