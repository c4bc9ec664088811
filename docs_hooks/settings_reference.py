"""MkDocs hook: the settings reference, generated from api/config.py at build time.

Each public field of ``api.config.Settings`` carries its documentation in its field
metadata (``setting(default, doc, exceeded=...)``); this hook renders them as one
table, so the code is the only place a setting is described.
"""

from __future__ import annotations


from mkdocs.structure.files import File, Files

from api.config import DocumentedSetting, documented_settings

PAGE = "reference/settings.md"

INTRO = """# Settings

Every setting is read from a `CONTENT_API_*` environment variable when the server
starts (`serve` passes them on to every worker); `serve` flags, where there is one,
win over the variable. This page is generated from the definition of the settings
in `api/config.py` when the docs are built.

Booleans read `1`, `true`, `yes` or `on` as true and anything else as false; lists
are comma-separated. A number outside its allowed range, or one that does not parse,
stops `serve` with an error that names the variable.
"""


def shown_default(setting: DocumentedSetting) -> str:
    """The default as one would write it in the environment variable."""
    value = setting.default
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "`1`" if value else "`0`"
    if isinstance(value, tuple):
        return f"`{', '.join(value)}`" if value else "empty"
    if isinstance(value, int) and value >= 1024 * 1024 and value % (1024 * 1024) == 0:
        return f"`{value}` ({value // (1024 * 1024)} MiB)"
    if value == "":
        return "empty"
    return f"`{value}`"


def settings_page() -> str:
    lines, section = [INTRO], None
    for setting in documented_settings():
        if setting.section != section:
            section = setting.section
            lines += [f"## {section}", ""]
        # The variable's own name as its anchor, so guides can link to one setting.
        lines += [f"### `{setting.variable}` {{ #{setting.variable.lower()} }}", "",
                  f"**Default:** {shown_default(setting)}", ""]
        if setting.allowed:
            lines += [f"**Allowed:** {setting.allowed}", ""]
        lines += [setting.doc, ""]
        if setting.exceeded:
            lines += [f"**Beyond it:** {setting.exceeded}", ""]
    return "\n".join(lines)


def on_files(files: Files, config) -> Files:
    files.append(File.generated(config, PAGE, content=settings_page()))
    return files
