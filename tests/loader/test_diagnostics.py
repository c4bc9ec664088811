"""Bad input: every problem reported as path:line, nothing stored."""

from __future__ import annotations

import pytest

from loader.article import parse_article
from loader.diagnostics import LoadError
from loader.load import check_content

GOOD = "---\ntitle: T\ndate: 2025-01-01\ndescription: d\n---\n\n# T\n\n## Trend\n"


def errors(data: bytes, path: str = "a.md") -> list[tuple[int, str]]:
    article, problems = parse_article(path, data)
    found = [(p.line, p.message) for p in problems if p.is_error]
    assert (article is None) == bool(found)
    return found


def test_good_file_has_no_errors():
    assert errors(GOOD.encode()) == []


def test_broken_yaml_points_at_its_line():
    data = b"---\ntitle: T\ndate: [2025\ndescription: d\n---\n# T\n"
    [(line, message)] = errors(data)
    assert line in (3, 4) and "not valid YAML" in message


def test_missing_title_is_an_error():
    data = b"---\ndate: 2025-01-01\ndescription: d\n---\n\nJust text.\n"
    [(line, message)] = errors(data)
    assert "no title" in message and line == 1


def test_h1_title_is_enough_and_frontmatter_title_wins():
    article, _ = parse_article("a.md", b"---\ndate: 2025-01-01\n---\n# From H1\n")
    assert article.title.plain == "From H1"
    article, _ = parse_article("a.md", b"---\ntitle: From YAML\ndate: 2025-01-01\n---\n# From H1\n")
    assert article.title.plain == "From YAML"


@pytest.mark.parametrize("value", ["2025-13-01", "yesterday", "2025/01/32", "2025-01-02T25:00", "[1, 2]"])
def test_invalid_date(value):
    data = f"---\ntitle: T\ndescription: d\ndate: {value}\n---\n# T\n".encode()
    [(line, message)] = errors(data)
    assert line == 4 and "invalid date" in message


def test_missing_date():
    [(line, message)] = errors(b"---\ntitle: T\n---\n# T\n")
    assert "no 'date'" in message


def test_non_utf8_names_the_line_of_the_bad_byte():
    data = GOOD.encode() + b"\nok line\nbad \xff\xfe byte\n"
    [(line, message)] = errors(data)
    assert line == 12 and "UTF-8" in message


@pytest.mark.parametrize("data", [b"", b"   \n\n", b"\xef\xbb\xbf\n"])
def test_empty_file(data):
    assert errors(data) == [(1, "file is empty")]


def test_bom_and_crlf_are_accepted():
    data = b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode() + b"### Status\r\n\r\n- **A**: b\r\n"
    article, problems = parse_article("a.md", data)
    assert [p for p in problems if p.is_error] == []
    assert article.title.plain == "T"
    [point] = article.trends[0].key_points
    assert (point.label, point.text.md, point.span.start_line) == ("A", "b", 12)


def test_duplicate_slug_across_files_and_all_errors_reported(tmp_path):
    (tmp_path / "one.md").write_text(GOOD.replace("title: T", "title: T\nslug: same"))
    (tmp_path / "two.md").write_text(GOOD.replace("title: T", "title: U\nslug: same"))
    (tmp_path / "three.md").write_text("---\ntitle: [\n---\n")
    (tmp_path / "four.md").write_bytes(b"")
    found = check_content(tmp_path)
    rendered = [str(d) for d in found if d.is_error]
    assert len(rendered) == 3, rendered
    assert any(r.startswith("four.md:1: file is empty") for r in rendered)
    assert any(r.startswith("three.md:") and "YAML" in r for r in rendered)
    assert any(r.startswith("two.md:1: duplicate slug 'same'") and "one.md" in r for r in rendered)


def test_missing_content_folder(tmp_path):
    with pytest.raises(LoadError):
        check_content(tmp_path / "nope")
