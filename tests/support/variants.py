"""Articles of known structure, written in randomly chosen styles of the format.

``article_specs()`` draws what a reader sees (trends with key points, routes
with pros and cons, advice); ``render()`` writes it the way some author
would: one of the wrappers, dates, numberings, part headings, route
headings, pros/cons forms, key-point and advice forms, in Simplified
Chinese, Traditional Chinese (OpenCC) or English. A test then reads the
file back and compares with the spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import opencc
from hypothesis import strategies as st

_S2T = opencc.OpenCC("s2t")

PHRASES = {
    "zh": ["模型推理的成本持续下降", "边缘设备的算力明显提升", "开源社区贡献了大量工具",
           "企业更关注合规与安全", "数据管道需要重新设计", "开发者体验成为竞争焦点",
           "硬件与软件协同优化", "云厂商推出了新的托管服务", "团队需要新的评测方法",
           "标准化组织发布了新规范"],
    "en": ["inference costs keep falling", "edge devices gained real compute",
           "open source projects ship the tooling", "companies care about compliance first",
           "data pipelines need a redesign", "developer experience decides adoption",
           "hardware and software are tuned together", "cloud vendors launched managed services",
           "teams need new ways to evaluate models", "standards bodies published new specs"],
}
NAMES = {
    "zh": ["云端集中部署", "端侧本地推理", "混合协同架构", "开源自建方案", "托管服务方案"],
    "en": ["Central cloud deployment", "On-device inference", "Hybrid routing",
           "Self-hosted open source", "Managed service"],
}
LABELS = {
    "zh": ["成本可控", "延迟更低", "生态成熟", "上手简单", "安全可靠", "扩展灵活"],
    "en": ["Lower cost", "Less latency", "Mature ecosystem", "Easy start", "Safer defaults",
           "Flexible scaling"],
}
TITLES = {
    "zh": ["生成式模型走向行业", "芯片架构多元化", "数据治理成为刚需", "开发工具全面升级"],
    "en": ["Generative models reach industry", "Chip architectures diversify",
           "Data governance becomes mandatory", "Developer tools level up"],
}


@dataclass
class RouteSpec:
    name: str
    pros: list[tuple[str, str]]  # (label, text); the label is used by the nested forms
    cons: list[tuple[str, str]]


@dataclass
class TrendSpec:
    title: str
    key_points: list[tuple[str, str]]  # (label, text)
    routes: list[RouteSpec]
    advice: list[tuple[str, str]]  # (title, text)


@dataclass
class ArticleSpec:
    language: str  # zh or en
    traditional: bool
    trends: list[TrendSpec]
    style: dict = field(default_factory=dict)


def _pick(draw, pool: list[str], n: int) -> list[str]:
    return draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n, unique=n <= len(pool)))


class _Serial:
    """Makes every sentence of an article unique (a number at its end), so that
    a text found twice in the store is stored twice, not written twice."""

    def __init__(self, language: str) -> None:
        self.language, self.count = language, 0

    def __call__(self, phrases: list[str]) -> list[str]:
        out = []
        for phrase in phrases:
            self.count += 1
            out.append(f"{phrase}，例{self.count}" if self.language == "zh"
                       else f"{phrase}, case {self.count}")
        return out


@st.composite
def article_specs(draw) -> ArticleSpec:
    language = draw(st.sampled_from(["zh", "en"]))
    unique = _Serial(language)
    trends = []
    titles = draw(st.lists(st.sampled_from(TITLES[language]), min_size=1, max_size=3, unique=True))
    for title in titles:
        phrases = PHRASES[language]
        key_points = list(zip(_pick(draw, LABELS[language], draw(st.integers(1, 3))),
                              unique(_pick(draw, phrases, 3))))
        routes = []
        for name in _pick(draw, NAMES[language], draw(st.integers(1, 3))):
            pros = list(zip(_pick(draw, LABELS[language], draw(st.integers(1, 2))),
                            unique(_pick(draw, phrases, 2))))
            cons = list(zip(_pick(draw, LABELS[language], draw(st.integers(1, 2))),
                            unique(_pick(draw, phrases, 2))))
            routes.append(RouteSpec(name, pros, cons))
        advice = list(zip(_pick(draw, LABELS[language], draw(st.integers(1, 3))),
                          unique(_pick(draw, phrases, 3))))
        trends.append(TrendSpec(title, key_points, routes, advice))
    style = {
        "wrapper": draw(st.sampled_from(["", "```markdown", "````md", "~~~Markdown", "~~~~MD"])),
        "date": draw(st.sampled_from(["2025-05-20", '"2025-05-20"', "2025-05-20T14:30:00+08:00",
                                      "2025-05-20T06:30:00Z", "2025-05-20 14:30"])),
        "title": draw(st.sampled_from(["frontmatter", "h1", "setext"])),
        "intro_heading": draw(st.booleans()),
        "numbering": draw(st.sampled_from(["cn", "arabic", "roman", "none", "word"])),
        "key_points": draw(st.sampled_from(["bold", "numbered", "paragraphs", "headings"])),
        "routes": draw(st.sampled_from(["h4-letter", "h4-word", "bold-title", "list-items"])),
        "points": draw(st.sampled_from(["bold", "plain", "paragraph", "nested", "announce",
                                        "emoji"])),
        "separator": draw(st.sampled_from(["：", ": ", " — ", " - "])),
        "advice": draw(st.sampled_from(["ordered", "paren-list", "paren-para", "ordinal",
                                        "headings", "untitled"])),
        "code_in_advice": draw(st.booleans()),
        "parts": draw(st.sampled_from(["h3", "h3", "bold"])),
        "trailing": draw(st.booleans()),
    }
    traditional = language == "zh" and draw(st.booleans())
    return ArticleSpec(language, traditional, trends, style)


WORDS = {
    "zh": {"status": "技术现状", "routes": "技术路线对比", "advice": "对开发者的建议",
           "pro": "优点", "con": "缺点", "intro": "前言", "summary": "总结", "trailing": "参考资料",
           "route": "路线", "ordinals": ["首先", "其次", "再次"], "trend": "趋势"},
    "en": {"status": "Current state", "routes": "Comparing approaches", "advice": "Recommendations",
           "pro": "Pros", "con": "Cons", "intro": "Introduction", "summary": "Conclusion",
           "trailing": "References", "route": "Option", "ordinals": ["First", "Second", "Third"],
           "trend": "Trend"},
}
_CN = "一二三四五六七八九"
_ROMAN = ["I", "II", "III", "IV", "V"]


def _trend_heading(spec: ArticleSpec, index: int, title: str) -> str:
    numbering = spec.style["numbering"]
    words = WORDS[spec.language]
    if numbering == "cn":
        return f"## {_CN[index]}、{title}"
    if numbering == "arabic":
        return f"## {index + 1}. {title}"
    if numbering == "roman":
        return f"## {_ROMAN[index]}. {title}"
    if numbering == "word":
        return f"## {words['trend']} {index + 1}: {title}"
    return f"## {title}"


def _points(spec: ArticleSpec, kind: str, points: list[tuple[str, str]]) -> list[str]:
    words, sep = WORDS[spec.language], spec.style["separator"]
    word = words[kind]
    form = spec.style["points"]
    if form == "bold":
        return [f"- **{word}**{sep}{text}" for _, text in points]
    if form == "plain":
        return [f"- {word}{sep}{text}" for _, text in points]
    if form == "emoji":
        mark = "✅" if kind == "pro" else "❌"
        return [f"- {mark} {word}{sep}{text}" for _, text in points]
    if form == "paragraph":
        return [line for _, text in points for line in (f"**{word}**{sep}{text}", "")]
    if form == "announce":
        return [f"**{word}**{sep.rstrip()}", ""] + [f"- {text}" for _, text in points] + [""]
    # nested: one bold bullet, one sub-bullet per point with its own label
    return [f"- **{word}**{sep.rstrip()}"] + [f"  - **{label}**{sep}{text}" for label, text in points]


def _route(spec: ArticleSpec, index: int, route: RouteSpec) -> list[str]:
    letter = "abcde"[index]
    form = spec.style["routes"]
    if form == "list-items":
        lines = [f"- **{route.name}**"]
        for kind, points in (("pro", route.pros), ("con", route.cons)):
            word = WORDS[spec.language][kind]
            lines += [f"  - {word}{spec.style['separator']}{text}" for _, text in points]
        return lines
    if form == "h4-letter":
        head = [f"#### {letter}. {route.name}", ""]
    elif form == "h4-word":
        head = [f"#### {WORDS[spec.language]['route']} {letter.upper()}: {route.name}", ""]
    else:
        head = [f"**{route.name}**", ""]
    body = _points(spec, "pro", route.pros) + [""] + _points(spec, "con", route.cons)
    return head + body + [""]


def _advice(spec: ArticleSpec, advice: list[tuple[str, str]]) -> list[str]:
    form = spec.style["advice"]
    lines: list[str] = []
    for n, (title, text) in enumerate(advice, start=1):
        titled = f"**{title}**{spec.style['separator']}{text}"
        if form == "ordered":
            lines.append(f"{n}. {titled}")
        elif form == "paren-list":
            lines.append(f"{n}) {titled}")
        elif form == "paren-para":
            lines += [f"（{n}）{titled}", ""]
        elif form == "ordinal":
            ordinal = WORDS[spec.language]["ordinals"][n - 1]
            comma = "，" if spec.language == "zh" else ", "
            lines += [f"{ordinal}{comma}{titled}", ""]
        elif form == "headings":
            lines += [f"#### {n}. {title}", "", text, ""]
        else:  # untitled
            lines.append(f"{n}. {text}")
        if spec.style["code_in_advice"] and n == 1:
            fence = "~~~" if spec.style["wrapper"].startswith("~") else "```"
            indent = "   " if form in ("ordered", "paren-list", "untitled") else ""
            lines += ["", f"{indent}{fence}python", f"{indent}print('advice {n}')", f"{indent}{fence}",
                      ""]
    return lines


def _part(spec: ArticleSpec, role: str) -> str:
    """A part's heading: an H3, or a bold line ("**技术现状：**")."""
    word = WORDS[spec.language][role]
    if spec.style["parts"] == "bold":
        return f"**{word}{'：' if spec.language == 'zh' else ':'}**"
    return f"### {word}"


def render(spec: ArticleSpec) -> str:
    words, style = WORDS[spec.language], spec.style
    title = TITLES[spec.language][0] + (" 观察" if spec.language == "zh" else " report")
    lines = ["---"]
    if style["title"] == "frontmatter":
        lines.append(f"title: {title}")
    lines += [f"date: {style['date']}", "description: generated", "tags: a, b", "---", ""]
    body: list[str] = []
    if style["title"] == "h1":
        body += [f"# {title}", ""]
    elif style["title"] == "setext":
        body += [title, "=" * 8, ""]
    if style["intro_heading"]:
        body += [f"## {words['intro']}", ""]
    body += [PHRASES[spec.language][0] + ("。" if spec.language == "zh" else "."), ""]
    for index, trend in enumerate(spec.trends):
        body += [_trend_heading(spec, index, trend.title), "", _part(spec, "status"), ""]
        form = style["key_points"]
        for n, (label, text) in enumerate(trend.key_points, start=1):
            if form == "bold":
                body.append(f"- **{label}**{style['separator']}{text}")
            elif form == "numbered":
                body.append(f"{n}. **{label}**{style['separator']}{text}")
            elif form == "paragraphs":
                body += [f"**{label}**{style['separator']}{text}", ""]
            else:
                body += [f"#### {label}", "", text, ""]
        body += ["", _part(spec, "routes"), ""]
        for n, route in enumerate(trend.routes):
            body += _route(spec, n, route)
        body += ["", _part(spec, "advice"), ""] + _advice(spec, trend.advice) + ["", "---", ""]
    body += [f"## {words['summary']}", "", PHRASES[spec.language][1], ""]
    if style["trailing"]:
        body += [f"## {words['trailing']}", "", "- https://example.invalid/a", ""]
    text = "\n".join(body)
    if style["wrapper"]:
        closing = style["wrapper"][0] * (len(style["wrapper"]) - len(style["wrapper"].lstrip("`~")))
        text = f"{style['wrapper']}\n{text}\n{closing}\n"
    article = "\n".join(lines) + "\n" + text
    return _S2T.convert(article) if spec.traditional else article


def convert(spec: ArticleSpec, text: str) -> str:
    """A text of the spec as it appears in the rendered article."""
    return _S2T.convert(text) if spec.traditional else text
