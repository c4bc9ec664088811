"""MkDocs hook: a fix-up of the CLI reference that mkdocs-click renders.

mkdocs-click 0.9 prints click 8.3's "no default" sentinel as the default of every flag
and option without one (``Sentinel.UNSET``); such an option has no default to show.
"""

from __future__ import annotations

PAGE = "reference/cli.md"
UNSET = "<code>Sentinel.UNSET</code>"


def on_page_content(html: str, page, config, files) -> str:
    if page.file.src_uri == PAGE:
        return html.replace(UNSET, "–")
    return html
