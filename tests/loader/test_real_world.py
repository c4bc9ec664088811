"""Articles written in other styles and languages read as a person reads them.

Each tests/fixtures/real-world/<name>.md has a <name>.expect.toml written
from the article as a reader sees it (never from the loader's output): the
counts of trends, key points, routes, pros, cons and advice, the titles and
labels, the intro and the summary. Nothing may be stored twice, and every
line must be reachable (tests/loader/test_fidelity.py runs on these files).
"""

from __future__ import annotations

import tomllib

import pytest

from loader.article import parse_article
from loader.config import load_config
from loader.numbering import split_number
from tests.support.fidelity import loaded_store, stored_twice, unreachable_lines
from tests.support.paths import REAL_WORLD

ARTICLES = sorted(p.stem for p in REAL_WORLD.glob("*.md"))


def _expected(name: str) -> dict:
    with open(REAL_WORLD / f"{name}.expect.toml", "rb") as handle:
        return tomllib.load(handle)


def _read(name: str):
    article, problems = parse_article(f"{name}.md", (REAL_WORLD / f"{name}.md").read_bytes(),
                                      load_config(REAL_WORLD))
    assert article is not None, [str(p) for p in problems]
    return article


def _start(text: str | None, size: int = 8) -> str:
    return " ".join((text or "").split())[:size]


def reader_view(article, expected: dict) -> dict:
    """The article as the expectations describe it, keys limited to those given."""
    view = {
        "title": article.title.plain,
        "language": article.language,
        "draft": article.draft,
        "date": article.date.isoformat(),
        "authors": article.authors,
        "tags": article.tags,
        "extra": sorted(article.extra),
        "intro_starts": _start(article.intro.plain, len(expected.get("intro_starts", ""))),
        "summary_starts": _start(article.summary.plain if article.summary else "",
                                 len(expected.get("summary_starts", ""))),
        "sections": [s.heading for s in article.sections],
        "intro_heading": article.intro_heading,
        # As written, or without its numbering ("五、总结" or "总结").
        "summary_heading": article.summary_heading
        if article.summary_heading == expected.get("summary_heading")
        else split_number(article.summary_heading or "").title or None,
        "published_at": article.published_at,
        "updated": article.updated_date.isoformat() if article.updated_date else None,
    }
    trends = []
    for trend, want in zip(article.trends, expected.get("trends", [])):
        got = {
            "label": trend.label or "",
            "title": trend.title,
            "key_points": len(trend.key_points),
            "key_point_labels": [p.label or "" for p in trend.key_points],
            "routes": [],
            "advice": len(trend.advice),
            "advice_titles": [a.title for a in trend.advice],
            "sections": len(trend.sections),
        }
        for route, want_route in zip(trend.routes, want.get("routes", [])):
            got_route = {"label": route.label or "", "name": route.name,
                         "pros": len(route.pros), "cons": len(route.cons),
                         "point_labels": [p.label or "" for p in route.pros + route.cons]}
            got["routes"].append({k: v for k, v in got_route.items() if k in want_route})
        if len(trend.routes) != len(want.get("routes", [])):
            got["routes"].append(f"{len(trend.routes)} routes")
        trends.append({k: v for k, v in got.items() if k in want})
    if len(article.trends) != len(expected.get("trends", [])):
        trends.append(f"{len(article.trends)} trends")
    view["trends"] = trends
    return {k: v for k, v in view.items() if k in expected}


@pytest.mark.parametrize("name", ARTICLES)
def test_reads_as_a_reader_reads_it(name):
    expected = _expected(name)
    assert reader_view(_read(name), expected) == expected


def test_every_fixture_has_expectations_and_the_set_is_broad():
    """At least 24 articles, in four languages, with long ones among them."""
    assert len(ARTICLES) >= 24
    assert all((REAL_WORLD / f"{name}.expect.toml").exists() for name in ARTICLES)
    languages = {_expected(name)["language"] for name in ARTICLES}
    assert languages >= {"zh-Hans", "zh-Hant", "ja", "en"}
    assert sum(1 for name in ARTICLES if len(_expected(name)["trends"]) >= 30) >= 3


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    yield from loaded_store(REAL_WORLD, tmp_path_factory.mktemp("real-world") / "content.db")


@pytest.mark.parametrize("name", ARTICLES)
def test_nothing_is_lost_or_stored_twice(store, name):
    source = (REAL_WORLD / f"{name}.md").read_text(encoding="utf-8")
    assert unreachable_lines(store, f"{name}.md", source) == []
    assert stored_twice(store, f"{name}.md", source) == []
