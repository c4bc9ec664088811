"""The executed examples of the docs: how they are found in markdown, run and compared.

Two conventions (docs/project/docs.md explains them to writers):

* a fenced ``graphql`` block followed directly by a fenced ``json`` block is a query
  and its response; a first line ``# variables: {...}`` gives it variables;
* a fenced ``console`` block is a shell session: ``$ `` lines are commands, the lines
  up to the next command are its output, and ``…`` in an output line stands for any text.

Used by tests/docs (run against a live server) and tests/api/test_compiled.py
(every written operation, compiled and not).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import uuid
from dataclasses import dataclass
from pathlib import Path

from tests.support.paths import ROOT

DOCS = ROOT / "docs"
# The documentation the project writes: the front page and every page of the site.
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]

PAIR = re.compile(r"```graphql\n(.*?)```\s*\n```json\n(.*?)```", re.S)
GRAPHQL = re.compile(r"```graphql\n(.*?)```", re.S)
# Console blocks may be indented (inside a list item); the closing fence has the same indent.
CONSOLE = re.compile(r"^( *)```console\n(.*?)^\1```", re.S | re.M)
VARIABLES = re.compile(r"\A\s*# variables: (.*)\n")
# The address the docs use for a local server; the tests point it at theirs.
DOCS_SERVER = "http://127.0.0.1:8000"


def where(path: Path, text: str, offset: int) -> str:
    return f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, offset) + 1}"


# -- GraphQL examples -----------------------------------------------------------

@dataclass(frozen=True)
class GraphQLExample:
    where: str
    query: str
    response: str | None  # the JSON shown after it, if any

    @property
    def variables(self) -> dict | None:
        match = VARIABLES.match(self.query)
        return json.loads(match.group(1)) if match else None


def graphql_examples(pages: list[Path] = PAGES) -> list[GraphQLExample]:
    """Every ``graphql`` block of the docs, with the response shown after it, if any."""
    found = []
    for path in pages:
        text = path.read_text("utf-8")
        shown = {m.start(): m.group(2) for m in PAIR.finditer(text)}
        for m in GRAPHQL.finditer(text):
            found.append(GraphQLExample(where(path, text, m.start()), m.group(1),
                                        shown.get(m.start())))
    return found


def without_volatile(body: dict) -> dict:
    """A response without what changes from run to run or load to load: the top-level
    extensions (content version, request id) and the request ids of errors."""
    body = dict(body)
    body.pop("extensions", None)
    errors = []
    for error in body.get("errors", []):
        error = dict(error)
        extensions = {k: v for k, v in error.get("extensions", {}).items() if k != "requestId"}
        if "extensions" in error:
            error["extensions"] = extensions
        errors.append(error)
    if "errors" in body:
        body["errors"] = errors
    return body


def response_differs(real: dict, shown_text: str) -> str | None:
    """None when the real response is the one shown, else what differs."""
    shown = json.loads(shown_text)
    real, shown = without_volatile(real), without_volatile(shown)
    if real == shown:
        return None
    return ("the docs show:\n" + json.dumps(shown, ensure_ascii=False, indent=2)[:3000]
            + "\nthe API answers:\n" + json.dumps(real, ensure_ascii=False, indent=2)[:3000])


# -- shell sessions -------------------------------------------------------------

@dataclass(frozen=True)
class Command:
    line: str
    expected: list[str]


@dataclass(frozen=True)
class ConsoleSession:
    where: str
    commands: list[Command]


def console_sessions(pages: list[Path] = PAGES) -> list[ConsoleSession]:
    found = []
    for path in pages:
        text = path.read_text("utf-8")
        for m in CONSOLE.finditer(text):
            body = textwrap.dedent(m.group(2))
            commands: list[Command] = []
            for line in body.splitlines():
                if line.startswith("$ "):
                    commands.append(Command(line[2:], []))
                elif commands:
                    commands[-1].expected.append(line)
                elif line.strip():
                    raise ValueError(f"{where(path, text, m.start())}: output before any command")
            found.append(ConsoleSession(where(path, text, m.start()), commands))
    return found


def line_matches(expected: str, real: str) -> bool:
    """``…`` in an expected line stands for any text; everything else is literal."""
    if "…" not in expected:
        return expected == real
    pattern = ".*".join(re.escape(part) for part in expected.split("…"))
    return re.fullmatch(pattern, real) is not None


def output_differs(expected: list[str], real: list[str]) -> str | None:
    expected, real = _trim(expected), _trim(real)
    if len(expected) == len(real) and all(map(line_matches, expected, real)):
        return None
    return "expected:\n" + "\n".join(expected) + "\ngot:\n" + "\n".join(real)


def _trim(lines: list[str]) -> list[str]:
    lines = [line.rstrip("\r") for line in lines]
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def sandbox(root: Path) -> Path:
    """A folder laid out like a checkout, where a session may write: its own copy of
    content/, and the checkout's venv, tests and schema.graphql (read, never written)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "content", root / "content")
    (root / ".venv").symlink_to(Path(sys.prefix))
    for name in ("tests", "schema.graphql", "examples"):
        (root / name).symlink_to(ROOT / name)
    return root


def run_session(session: ConsoleSession, cwd: Path, server_url: str,
                timeout: float = 120) -> list[list[str]]:
    """Run the commands in one bash, in order (so that variables carry over), and
    return each command's output lines (stdout and stderr together, as a terminal shows)."""
    marker = f"@@command-{uuid.uuid4().hex}@@"
    script = ["exec 2>&1"]
    for command in session.commands:
        # The marker must not change $?: a session may show the previous command's status.
        script += ["__status=$?", f"printf '\\n%s\\n' '{marker}'", "(exit $__status)",
                   command.line.replace(DOCS_SERVER, server_url)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "80", "NO_COLOR": "1",
           "TERM": "dumb", "LC_ALL": "C.UTF-8"}
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)
    chunks = done.stdout.split("\n" + marker + "\n")[1:]
    return [chunk.split("\n") for chunk in chunks]
