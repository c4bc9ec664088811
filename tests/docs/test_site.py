"""The docs site: built with --strict, its generated references complete, and looked
at in headless Chromium.

The reference checks read what must be there from the sources (schema.graphql, the
settings' definition, the click commands), never from a list kept here.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import graphql
import pytest

from api.cli import main as cli
from api.config import documented_settings
from tests.docs.conftest import build_site
from tests.dx.conftest import free_port, non_loopback, requested_urls, save_screenshot, static_origin
from tests.support.paths import ROOT

SCHEMA = graphql.parse((ROOT / "schema.graphql").read_text("utf-8"))
TYPE_DEFINITIONS = [d for d in SCHEMA.definitions if isinstance(d, graphql.TypeDefinitionNode)]


def page(site: Path, path: str) -> str:
    file = site / path / "index.html"
    assert file.exists(), f"{path} was not built"
    return file.read_text("utf-8")


def ids_of(text: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', text))


def members_of(definition: graphql.TypeDefinitionNode) -> list[str]:
    """The field names of an object, interface or input, or the values of an enum."""
    if isinstance(definition, graphql.EnumTypeDefinitionNode):
        return [value.name.value for value in definition.values]
    return [field.name.value for field in getattr(definition, "fields", None) or ()]


# -- the build --------------------------------------------------------------------

def test_site_builds_strict_with_every_page_in_the_nav(built_site):
    home = page(built_site, "")
    for section in ("Writing articles", "Loading and checking", "Querying", "Clients",
                    "Operating", "Reference"):
        assert f">{section}<" in home or f"> {section} <" in home or section in home, section
    # The Operating section holds Scaling (and, after the cache-tier branch, its page).
    assert 'href="operating/scaling/"' in home


def test_strict_build_fails_on_an_orphan_page_and_a_broken_anchor(tmp_path):
    """The validation settings of mkdocs.yml really turn these into failures."""
    copy = tmp_path / "checkout"
    shutil.copytree(ROOT / "docs", copy / "docs")
    shutil.copytree(ROOT / "docs_hooks", copy / "docs_hooks")
    for name in ("mkdocs.yml", "schema.graphql", "BENCHMARKS.md"):
        shutil.copy(ROOT / name, copy / name)
    for name in ("api", "loader"):  # read by the hooks and watched by `mkdocs serve`
        (copy / name).symlink_to(ROOT / name)
    (copy / "docs" / "orphan.md").write_text("# Not in the nav\n")
    with open(copy / "docs" / "querying" / "search.md", "a") as extra:
        extra.write("\nSee [pagination](pagination.md#no-such-anchor).\n")
    done = build_site(copy, tmp_path / "site")
    assert done.returncode != 0
    assert "orphan.md" in done.stderr
    assert "no-such-anchor" in done.stderr


# -- the generated references -------------------------------------------------------

@pytest.mark.parametrize("definition", TYPE_DEFINITIONS, ids=lambda d: d.name.value)
def test_every_type_of_the_schema_has_its_reference_page(built_site, definition):
    name = definition.name.value
    text = page(built_site, f"reference/schema/{name}")
    assert re.search(rf"<h1[^>]*>{name}", text), f"{name}: no heading"
    missing = [member for member in members_of(definition) if member not in ids_of(text)]
    assert missing == [], f"{name}: members without an entry: {missing}"
    description = definition.description.value.split("\n")[0] if definition.description else ""
    assert html.escape(description.split("`")[0], quote=False)[:40] in text
    index = page(built_site, "reference/schema")
    assert f'href="{name}/"' in index


def test_schema_reference_shows_arguments_defaults_deprecations_and_directives(built_site):
    article = page(built_site, "reference/schema/Article")
    # Field arguments with their defaults, linked to their types.
    excerpt = article[article.index('id="excerpt"'):]
    assert "<code>length</code>" in excerpt[:4000]
    assert 'href="../Int/"' in excerpt[:4000]
    advice = page(built_site, "reference/schema/Advice")
    assert "Deprecated" in advice[advice.index('id="title"'):][:3000]
    used_by = page(built_site, "reference/schema/Trend")
    assert 'href="../Article/#trends"' in used_by
    directives = page(built_site, "reference/schema/directives")
    for directive in ("include", "skip", "deprecated", "specifiedBy"):
        assert f'id="{directive.lower()}"' in directives


def test_every_setting_is_in_the_settings_reference(built_site):
    text = page(built_site, "reference/settings")
    for setting in documented_settings():
        assert setting.variable in text
        entry = text[text.index(f'id="{setting.variable.lower()}"'):].split("<h3")[0]
        assert html.escape(setting.doc.split("`")[0], quote=False)[:30] in entry, setting.variable
        if setting.allowed:
            assert f"Allowed:</strong> {setting.allowed}" in entry, setting.variable
        assert setting.section in text
    assert "CONTENT_API_TEST_EXECUTION_DELAY" not in text


def test_every_command_and_option_is_in_the_cli_reference(built_site):
    text = page(built_site, "reference/cli")
    assert "Sentinel" not in text  # docs_hooks/cli_reference.py removes click's "no default" marker
    for name, command in cli.commands.items():
        assert f"content-api {name}" in text, name
        for parameter in command.params:
            for option in parameter.opts:
                if option.startswith("--"):
                    assert option in text, f"{name} {option}"


# -- screenshots ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def site_origin(built_site):
    with static_origin(built_site, free_port()) as origin:
        yield origin


def test_home_page_in_chromium(browser, site_origin):
    from selenium.webdriver.common.by import By

    requested_urls(browser)  # drop earlier tests' entries
    browser.get(site_origin + "/")
    title = browser.find_element(By.CSS_SELECTOR, "article h1").text
    assert title == "content-api"
    links = {a.text for a in browser.find_elements(By.CSS_SELECTOR, "article a")}
    assert "Getting started" in links
    assert non_loopback(requested_urls(browser)) == []
    save_screenshot(browser, "docs-home.png")


def test_article_reference_in_chromium_lists_its_fields(browser, site_origin):
    from selenium.webdriver.common.by import By

    (article,) = [d for d in TYPE_DEFINITIONS if d.name.value == "Article"]
    requested_urls(browser)
    browser.get(site_origin + "/reference/schema/Article/")
    assert browser.find_element(By.CSS_SELECTOR, "article h1").text.startswith("Article")
    headings = [h.get_attribute("id") for h in browser.find_elements(By.CSS_SELECTOR, "article h3")]
    assert headings[:len(members_of(article))] == members_of(article)
    # The table of contents lists them too: what a reader sees beside the page.
    toc = browser.find_element(By.CSS_SELECTOR, ".md-sidebar--secondary").get_attribute("textContent")
    assert all(name in toc for name in members_of(article))
    assert non_loopback(requested_urls(browser)) == []
    save_screenshot(browser, "docs-schema-article.png")


# -- the README as the front page --------------------------------------------------------

def test_readme_is_a_front_page_whose_links_resolve():
    readme = (ROOT / "README.md").read_text("utf-8")
    assert len(readme.splitlines()) <= 150
    targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme)
    local = [t for t in targets if "://" not in t]
    assert len(local) >= 15
    assert [t for t in local if not (ROOT / t).exists()] == []
    # Every guide it links to is a page of the site (or the benchmark report it includes).
    nav = (ROOT / "mkdocs.yml").read_text("utf-8")
    for target in local:
        if target.startswith("docs/") and target.endswith(".md"):
            assert target.removeprefix("docs/") in nav, target
