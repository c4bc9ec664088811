"""One file's bytes -> an Article, or diagnostics. Pure: no I/O, no database.

The article's H2s are read by role: an intro-like H2 before the first trend
is the intro; the summary is the last summary-like H2, and the H2s after it
(references, further reading, ...) are article-level sections; every other
H2 is a trend. Headings that hold status, routes or advice parts are trends
whatever their words say.
"""

from __future__ import annotations

from .blocks import Block, Document
from .body import headings_of, plain_of, stored_body
from .config import DEFAULTS, ContentConfig
from .context import ReadContext, join_texts
from .diagnostics import Diagnostic
from .frontmatter import read_meta
from .language import chinese_script, detect, reading_time_minutes
from .model import Article, Section, Span, Trend
from .numbering import Numbering, split_number
from .parts import content, groups, sub_level, texts_of
from .source import parse_source, unwrap
from .text import inline_text, word_count
from .trend import PART_ROLES, coverage, read_trend

__all__ = ["parse_article"]


def _levels(blocks: list[Block]) -> tuple[Block | None, int | None]:
    """(the title H1, the trend heading level). The title is a lone H1 before
    any other heading; trends are the shallowest headings after it."""
    headings = [b for b in blocks if b.kind == "heading"]
    h1s = [b for b in headings if b.level == 1]
    title = headings[0] if headings and len(h1s) == 1 and headings[0].level == 1 else None
    rest = [b for b in headings if b is not title]
    return title, (min(b.level for b in rest) if rest else None)


class _ArticleReader:
    def __init__(self, ctx: ReadContext, blocks: list[Block]) -> None:
        self.ctx = ctx
        self.blocks = blocks
        self.sections: list[Section] = []

    def is_trend_like(self, group: list[Block]) -> bool:
        """An H2 whose sub-headings name parts (or whose content has routes)."""
        head = group[0]
        level = sub_level(group[1:], head.level)
        if level is None:
            return False
        vocabulary = self.ctx.vocabulary
        return any(vocabulary.heading_roles(b.text) & set(PART_ROLES)
                   for b in group[1:] if b.kind == "heading" and b.level == level)

    def unfold_umbrellas(self, found: list[list[Block]]) -> list[list[Block]]:
        """An H2 that only gathers trends ("## 三大趋势" over "### 一、…" trends that
        hold the parts) gives its sub-sections as trends; its own heading and
        text are kept as an article section."""
        out: list[list[Block]] = []
        for group in found:
            head = group[0]
            level = sub_level(group[1:], head.level)
            if level is None or self.is_trend_like(group):
                out.append(group)
                continue
            lead, subs = groups(group[1:], level)
            if not any(self.is_trend_like(sub) for sub in subs):
                out.append(group)
                continue
            self.keep_section([head, *lead], None)
            out.extend(subs)
        return out

    def role(self, group: list[Block], role: str) -> bool:
        title = split_number(group[0].text).title
        return role in self.ctx.vocabulary.heading_roles(title) and not self.is_trend_like(group)

    def keep_section(self, group: list[Block], why: str | None) -> None:
        head, body = group[0], content(group[1:])
        end = body[-1].end if body else head.end
        if why:
            self.ctx.warn(self.ctx.line(head.start), f"{why}; kept as an article section")
        self.sections.append(Section(len(self.sections) + 1, head.text, texts_of(self.ctx, body),
                                     self.ctx.span(head.start, end)))

    def split(self, found: list[list[Block]]):
        """(intro group, trend groups, summary group, trailing groups, stray groups)."""
        trailing_from = len(found)
        summary_at = None
        for index in range(len(found) - 1, -1, -1):
            if summary_at is None and self.role(found[index], "summary"):
                summary_at = index
                break
        if summary_at is not None:
            trailing_from = summary_at + 1
        else:
            while trailing_from > 0 and self.role(found[trailing_from - 1], "trailing"):
                trailing_from -= 1
        body = found[:summary_at if summary_at is not None else trailing_from]
        intro = None
        strays: list[list[Block]] = []
        while body and not self.is_trend_like(body[0]) and (
                self.role(body[0], "intro") or self.role(body[0], "trailing")):
            if intro is None and self.role(body[0], "intro"):
                intro = body[0]
            else:
                strays.append(body[0])
            body = body[1:]
        summary = found[summary_at] if summary_at is not None else None
        return intro, body, summary, found[trailing_from:], strays


def _trend_numbering(ctx: ReadContext, groups_: list[list[Block]]) -> list[Numbering]:
    """Each trend heading's numbering, letters (A, B, C) read as letters when
    the headings count up that way, and one warning per gap in the count."""
    texts = [g[0].text for g in groups_]
    vocabulary = ctx.vocabulary
    plain = [split_number(t, vocabulary=vocabulary, label_role="trend_label") for t in texts]
    letters = [split_number(t, vocabulary=vocabulary, label_role="trend_label",
                            letters_first=True) for t in texts]
    letter_run = all(n.label and len(n.label) == 1 and n.label.isalpha() for n in letters) and \
        [n.number for n in letters] == list(range(1, len(letters) + 1))
    numbers = letters if letter_run and len(letters) > 1 else plain
    expected = 1
    for group, numbering in zip(groups_, numbers):
        if numbering.number is None:
            continue
        if numbering.number != expected:
            ctx.warn(ctx.line(group[0].start), f"trend numbered {numbering.label} where "
                     f"{expected} was expected; trends are numbered by position")
        expected = numbering.number + 1
    return numbers


def parse_article(path: str, data: bytes, config: ContentConfig = DEFAULTS
                  ) -> tuple[Article | None, list[Diagnostic]]:
    """Parse one file. Returns the article (None on errors) and every diagnostic."""
    src, problems = parse_source(path, data)
    if src is None:
        return None, problems
    body, _wrapped = unwrap(src.body)
    doc = Document(body, src.body_line)
    headings = headings_of(doc)
    last_line = len(src.text.rstrip("\n").split("\n"))
    ctx = ReadContext(path, doc, config, {h.line: h.anchor for h in headings}, [], last_line)
    meta = read_meta(ctx, src)

    title_block, trend_level = _levels(doc.blocks)
    lead, found = groups(doc.blocks, trend_level) if trend_level else (doc.blocks, [])
    title_md = meta.title or (doc.heading_markdown(title_block) if title_block else None)
    title = inline_text(title_md) if title_md else None
    if title is None or not title.plain:
        ctx.error(1, "article has no title: add 'title' to the frontmatter or a '# ' heading")
    reader = _ArticleReader(ctx, doc.blocks)
    intro_group, trend_groups, summary_group, trailing, strays = reader.split(found)

    intro_parts = [texts_of(ctx, content([b for b in lead if b is not title_block]))]
    intro_heading = None
    if intro_group is not None:
        intro_heading = intro_group[0].text
        intro_parts.append(texts_of(ctx, content(intro_group[1:])))
    for group in strays:
        reader.keep_section(group, None)
    trend_groups = reader.unfold_umbrellas(trend_groups)
    numbers = _trend_numbering(ctx, trend_groups)
    trends: list[Trend] = []
    typed = total = 0
    for position, (group, numbering) in enumerate(zip(trend_groups, numbers), start=1):
        trend = read_trend(ctx, position, group, numbering)
        trends.append(trend)
        done, units = coverage(ctx, trend, group[1:])
        typed, total = typed + done, total + units
    summary = summary_heading = None
    if summary_group is not None:
        summary_heading = summary_group[0].text
        summary = texts_of(ctx, content(summary_group[1:]))
    for group in trailing:
        known = reader.role(group, "trailing")
        reader.keep_section(group, None if known else
                            f"H2 '{group[0].text}' comes after the summary")
    if not trends:
        ctx.warn(src.body_line, "article has no trends (no '## ' headings)")

    if any(p.is_error for p in ctx.problems):
        return None, ctx.problems
    body_plain = plain_of(doc)
    words = word_count(body_plain)
    language = meta.language or detect(body_plain)
    if language == "zh":  # declared Chinese: the script is told from the text
        language = chinese_script(body_plain)
    article = Article(
        slug=meta.slug, title=title, date=meta.date,
        description=None if meta.description is None else inline_text(meta.description),
        tags=meta.tags, intro=join_texts(intro_parts), summary=summary,
        summary_heading=summary_heading, body=stored_body(doc), word_count=words,
        reading_time_minutes=reading_time_minutes(body_plain, words, language),
        headings=headings, trends=trends, sections=reader.sections,
        span=Span(path, 1, last_line), warnings=[p for p in ctx.problems if not p.is_error],
        intro_heading=intro_heading, draft=meta.draft, published_at=meta.published_at,
        updated_date=meta.updated_date, updated_at=meta.updated_at, authors=meta.authors,
        language=language, extra=meta.extra, coverage=(typed, total),
    )
    return article, ctx.problems
