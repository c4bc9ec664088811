"""Hostile markup to put into articles, and a parser-based check of the HTML that comes back.

The check parses each HTML fragment with html5lib, the way a browser would,
and walks the element tree: no dangerous element, no event handler or style
attribute, no URL attribute with a script or data: scheme. It never greps the
markup as a string, so an escaped ``&lt;script&gt;`` in text is (rightly) fine.
"""

from __future__ import annotations

import re

import html5lib

HTML_NS = "http://www.w3.org/1999/xhtml"

# Each payload is one line of markdown; {n} makes each copy findable.
PAYLOADS = [
    "<script>alert({n})</script>",
    "<img src=x onerror=alert({n})>",
    '<a href="javascript:alert({n})">js link {n}</a>',
    "[md link {n}](javascript:alert({n}))",
    "[spaced {n}](  JaVaScRiPt:alert({n}) )",
    "<javascript:alert({n})>",
    '<a href="&#106;avascript:alert({n})">entity {n}</a>',
    '<a href="java&#x09;script:alert({n})">tab {n}</a>',
    '<a href="vbscript:msgbox({n})">vb {n}</a>',
    '<iframe src="https://evil.invalid/{n}"></iframe>',
    "<svg onload=alert({n})><circle r=1 /></svg>",
    '<svg><a xlink:href="javascript:alert({n})"><text>svg link</text></a></svg>',
    "<style>body {{ display: none }}</style>",
    '<object data="evil{n}.swf"></object><embed src="evil{n}.swf">',
    "![data img {n}](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<img src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    '<div style="background:url(javascript:alert({n}))" onmouseover="alert({n})">styled {n}</div>',
    '<form action="javascript:alert({n})"><input type=submit formaction="javascript:x"></form>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert({n})></style></mglyph></table></mtext></math>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert({n})">',
    '<base href="javascript:/"><link rel=stylesheet href="evil{n}.css">',
    '<noscript><p title="</noscript><img src=x onerror=alert({n})>"></noscript>',
    "<template><script>alert({n})</script></template>",
    "<details open ontoggle=alert({n})>d</details>",
    "<video><source onerror=alert({n})></video><audio src=x onerror=alert({n})></audio>",
    '<p><a href="https://ok.invalid/{n}" onclick="alert({n})" target="_blank">ok link {n}</a></p>',
    '<img srcset="javascript:alert({n}) 1x" src="https://ok.invalid/{n}.png" alt="x">',
    "<textarea><script>alert({n})</script></textarea><select><option>x</option></select>",
    '<a href="data:text/html,<script>alert({n})</script>">data link {n}</a>',
    "<body onload=alert({n})><frameset><frame src=x></frameset>",
]

BAD_ELEMENTS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math",
    "form", "input", "button", "textarea", "select", "option", "base", "meta", "link", "noscript",
    "template", "video", "audio", "source", "track", "portal", "body", "html", "head", "title",
}
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "data", "poster", "background",
                  "cite", "longdesc", "xlink:href", "ping", "srcdoc", "dynsrc", "lowsrc", "codebase"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def _local(name: str) -> tuple[str, str]:
    """(namespace, local name) of an html5lib etree tag or attribute name."""
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local
    return "", name


def problems(fragment: str) -> list[str]:
    """Everything dangerous a browser would build from ``fragment``."""
    found = []
    root = html5lib.parseFragment(fragment, treebuilder="etree", namespaceHTMLElements=True)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments
        ns, tag = _local(element.tag)
        if element is root:
            continue
        if ns and ns != HTML_NS:
            found.append(f"<{tag}> in namespace {ns}")
        if tag.lower() in BAD_ELEMENTS:
            found.append(f"<{tag}> element")
        for raw_name, value in element.attrib.items():
            _, name = _local(raw_name)
            name = name.lower()
            if name.startswith("on"):
                found.append(f"<{tag} {name}> event handler")
            if name == "style":
                found.append(f"<{tag} style> attribute")
            if name in URL_ATTRIBUTES or raw_name.endswith("}href"):
                normalised = _INVISIBLE.sub("", value).lower()
                for candidate in normalised.split(","):  # srcset lists
                    if candidate.strip().startswith(BAD_SCHEMES):
                        found.append(f"<{tag} {name}={value!r}> script/data URL")
    return found


def hostile_lines(tag: str) -> list[str]:
    """Every payload, numbered for ``tag`` so a survivor's slot is known."""
    return [payload.replace("{n}", f"{tag}{i}") for i, payload in enumerate(PAYLOADS)]
