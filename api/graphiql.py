"""GraphiQL page and its offline assets.

Every script and stylesheet GraphiQL needs is served by this app from
``graphiql/node_modules`` (installed by ``make assets`` from the committed
lockfile), so the IDE works on a machine with no internet.  Each tag carries a
``sha384`` subresource-integrity hash taken from the committed
``graphiql/integrity.json``: the browser refuses a file that differs from the
pinned release, and the page refuses to render tags for files on disk that do
not match (it says how to reinstall them instead of showing a blank screen).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route

ASSETS_DIR_ENV = "CONTENT_API_GRAPHIQL_DIR"
INSTALL_HINT = "make assets"
ASSET_PREFIX = "/graphiql"

# URL name under /graphiql/ -> path inside the assets folder.  Order matters:
# scripts load in this order (React before GraphiQL before the plugin).
PINNED_ASSETS: dict[str, str] = {
    "react.js": "node_modules/react/umd/react.production.min.js",
    "react-dom.js": "node_modules/react-dom/umd/react-dom.production.min.js",
    "graphiql.js": "node_modules/graphiql/graphiql.min.js",
    "graphiql.css": "node_modules/graphiql/graphiql.min.css",
    "explorer.js": "node_modules/@graphiql/plugin-explorer/dist/index.umd.js",
    "explorer.css": "node_modules/@graphiql/plugin-explorer/dist/style.css",
}
# Our own start-up script: committed, so its hash is computed, not pinned.
OWN_ASSETS: dict[str, str] = {"init.js": "init.js"}

ASSET_CACHE_CONTROL = "public, max-age=3600"
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)

DEFAULT_QUERY = """\
# Welcome! Press the run button (Ctrl-Enter).
# An article has trends; each trend has key
# points, competing routes (pros and cons)
# and numbered advice for developers.
# The Docs panel (book icon) describes every
# field; the Explorer builds queries by click.
query ArticleTour {
  article(slug: "2024-ai-trends") {
    title
    date
    tags
    readingTimeMinutes
    trends {
      position
      title
      keyPoints {
        label
        text
      }
      routes {
        name
        pros
        cons
      }
      advice {
        position
        title
        text
      }
    }
  }
  articles(first: 5) {
    totalCount
    nodes {
      slug
      title
    }
  }
}
"""


def assets_dir() -> Path:
    """Folder holding package.json, init.js and the installed node_modules."""
    configured = os.environ.get(ASSETS_DIR_ENV)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent.parent / "graphiql"


@dataclass(frozen=True)
class Asset:
    name: str
    path: Path
    integrity: str

    @property
    def is_script(self) -> bool:
        return self.name.endswith(".js")


class AssetsUnavailable(Exception):
    """The installed files are missing or differ from the pinned release."""


def sha384_integrity(path: Path) -> str:
    digest = hashlib.sha384(path.read_bytes()).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")


def pinned_integrity(folder: Path) -> dict[str, str]:
    """The committed sha384 of each pinned asset (graphiql/integrity.json)."""
    manifest = folder / "integrity.json"
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AssetsUnavailable(f"cannot read {manifest.name}: {exc}") from None


def _stat_key(folder: Path) -> tuple:
    """Cheap fingerprint of the asset files, so hashes are recomputed only on change."""
    key = []
    for relative in (*PINNED_ASSETS.values(), *OWN_ASSETS.values(), "integrity.json"):
        try:
            st = (folder / relative).stat()
            key.append((relative, st.st_ino, st.st_size, st.st_mtime_ns))
        except OSError:
            key.append((relative, None))
    return (str(folder), tuple(key))


_cache: dict[tuple, dict[str, Asset] | AssetsUnavailable] = {}


def _build_manifest(folder: Path) -> dict[str, Asset]:
    missing = [rel for rel in PINNED_ASSETS.values() if not (folder / rel).is_file()]
    missing += [rel for rel in OWN_ASSETS.values() if not (folder / rel).is_file()]
    if missing:
        raise AssetsUnavailable("missing files: " + ", ".join(missing))
    expected = pinned_integrity(folder)
    manifest: dict[str, Asset] = {}
    for name, relative in PINNED_ASSETS.items():
        actual = sha384_integrity(folder / relative)
        if expected.get(name) != actual:
            raise AssetsUnavailable(f"{relative} does not match the pinned release")
        manifest[name] = Asset(name, folder / relative, actual)
    for name, relative in OWN_ASSETS.items():
        manifest[name] = Asset(name, folder / relative, sha384_integrity(folder / relative))
    return manifest


def load_manifest(folder: Path | None = None) -> dict[str, Asset]:
    """Name -> Asset for every file the page needs; raises AssetsUnavailable."""
    folder = folder or assets_dir()
    key = _stat_key(folder)
    if key not in _cache:
        _cache.clear()  # only the current version of the files is worth keeping
        try:
            _cache[key] = _build_manifest(folder)
        except AssetsUnavailable as exc:
            _cache[key] = exc
    result = _cache[key]
    if isinstance(result, AssetsUnavailable):
        raise result
    return result


def _json_for_script(value: object) -> str:
    # "<" escaped so the payload can never close the <script> element.
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def render_page(manifest: dict[str, Asset], asset_base: str, endpoint: str) -> str:
    config = {"endpoint": endpoint, "defaultQuery": DEFAULT_QUERY}
    links, scripts = [], []
    for asset in manifest.values():
        url = html.escape(f"{asset_base}/{asset.name}")
        if asset.is_script:
            scripts.append(f'<script src="{url}" integrity="{asset.integrity}"></script>')
        else:
            links.append(f'<link rel="stylesheet" href="{url}" integrity="{asset.integrity}">')
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL · content API</title>
<link rel="icon" href="data:,">
<style>html, body, #graphiql {{ height: 100%; margin: 0; }}</style>
{chr(10).join(links)}
</head>
<body>
<div id="graphiql"><p style="font-family: sans-serif; padding: 1em">Loading GraphiQL…</p></div>
<noscript>GraphiQL needs JavaScript. The API itself answers POST requests at {html.escape(endpoint)}.</noscript>
<script type="application/json" id="graphiql-config">{_json_for_script(config)}</script>
{chr(10).join(scripts)}
</body>
</html>
"""


def render_missing_page(reason: str, endpoint: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>GraphiQL assets not installed</title></head>
<body style="font-family: sans-serif; max-width: 42em; margin: 2em auto">
<h1>GraphiQL assets not installed</h1>
<p>This server serves GraphiQL from its own files, with no CDN, and they are not ready:
<code>{html.escape(reason)}</code>.</p>
<p>Install the pinned versions from the lockfile, then reload this page:</p>
<pre>{INSTALL_HINT}</pre>
<p>(That runs <code>npm ci</code> in the <code>graphiql/</code> folder.)
The API itself works meanwhile: send queries with POST to
<code>{html.escape(endpoint)}</code>.</p>
</body>
</html>
"""


def graphiql_response(request: Request) -> Response:
    """The GraphiQL HTML page served at GET /graphql for browsers."""
    root = request.scope.get("root_path", "")
    endpoint = request.url.path  # already includes root_path when mounted
    headers = {"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"}
    try:
        manifest = load_manifest()
    except AssetsUnavailable as exc:
        return HTMLResponse(render_missing_page(str(exc), endpoint), status_code=503, headers=headers)
    page = render_page(manifest, root + ASSET_PREFIX, endpoint)
    return HTMLResponse(page, headers=headers)


async def serve_asset(request: Request) -> Response:
    name = request.path_params["name"]
    try:
        asset = load_manifest()[name]
    except (AssetsUnavailable, KeyError):
        return Response("Not Found", status_code=404, media_type="text/plain")
    media_type = "text/javascript" if asset.is_script else "text/css"
    return FileResponse(
        asset.path,
        media_type=media_type,
        headers={"Cache-Control": ASSET_CACHE_CONTROL, "X-Content-Type-Options": "nosniff"},
    )


def routes() -> list[BaseRoute]:
    """Routes serving GraphiQL's static assets at /graphiql/<name> (add them to the app's routes)."""
    assets = [Route("/{name}", serve_asset, methods=["GET", "HEAD"], name="graphiql_asset")]
    return [Mount(ASSET_PREFIX, routes=assets)]


def write_pinned_integrity(folder: Path | None = None) -> dict[str, str]:
    """Record the sha384 of the installed pinned files (run after bumping versions)."""
    folder = folder or assets_dir()
    hashes = {name: sha384_integrity(folder / rel) for name, rel in PINNED_ASSETS.items()}
    (folder / "integrity.json").write_text(json.dumps(hashes, indent=2) + "\n", encoding="utf-8")
    return hashes


if __name__ == "__main__":
    # `python -m api.graphiql` re-pins the hashes after a deliberate version bump.
    for asset_name, integrity in write_pinned_integrity().items():
        print(asset_name, integrity)
