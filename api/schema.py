"""The GraphQL schema: the Query root, search hits, facets, and the schema factory."""

from __future__ import annotations

import asyncio
from enum import Enum
from typing import Annotated, Optional, Union

import strawberry
from graphql import specified_rules
from graphql.validation.rules.max_introspection_depth_rule import MaxIntrospectionDepthRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter
from strawberry.extensions.max_aliases import create_validator as alias_rule
from strawberry.schema.config import StrawberryConfig

from api import connections, fast, ids, queries, search
from api.cache import LRU
from api.documents import DocumentCache, Documents
from api.compiled import CompiledExecutionContext
from api.limits import create_depth_rule, create_total_depth_rule
from api.loaders import ARTICLE_OF, related, related_node
from api.config import Settings
from api.connections import Connection
from api.errors import bad_input
from api.inputs import (AdviceFilter, ArticleFilter, ArticleOrder, RouteFilter, SearchField,
                        SearchFilter, SearchKind, TrendFilter)
from api.pagination import keyset_page, page_request, signature
from api.introspection import IntrospectionAnswers
from api.quick_validation import limits_for
from api.validation_cache import DocumentValidationCache
from loader.keys import DIAGNOSTICS, FACETS, LIST, SEARCH
from api.types import (NODE_CLASSES, Advice, Article, ContextInfo, KeyPoint, Node, Route,
                       Section, TextFormat, Trend)


SearchResult = Annotated[Union[Article, Trend, KeyPoint, Route, Advice, Section],
                         strawberry.union("SearchResult", description="What a search hit is: "
                                          "an Article, Trend, KeyPoint, Route, Advice or Section.")]


@strawberry.type(description="A place where a search matched: an object and the field that matched.")
class SearchHit:
    row: strawberry.Private[object]
    query: strawberry.Private[str]
    field: SearchField = strawberry.field(description="The field of `node` that matched.")
    score: float = strawberry.field(description="Relevance; higher is better. Hits come best first.")

    @strawberry.field(description="The matched object, typed: select its fields with `... on "
                                  "Article { … }` and the like.")
    def node(self, info: ContextInfo) -> SearchResult:
        return related_node(info.context.loaders, self, NODE_WRAPS)

    @strawberry.field(description="The article the match is in.")
    def article(self, info: ContextInfo) -> Article:
        return related(info.context.loaders, self, ARTICLE_OF, Article.from_row)

    @strawberry.field(description="Text around the first match. As HTML (the default) it is escaped "
                                  "and every match is wrapped in <mark>; MARKDOWN and PLAIN give "
                                  "the same text without marks.")
    def snippet(self, format: Annotated[TextFormat, strawberry.argument(
            description="HTML for highlighted, escaped text.")] = TextFormat.HTML) -> str:
        return search.snippet(self.row["text"], self.query, highlight=format is TextFormat.HTML)


@strawberry.enum(description="How serious a content diagnostic is.")
class Severity(Enum):
    ERROR = strawberry.enum_value("error", description="The file was not loaded.")
    WARNING = strawberry.enum_value("warning", description="Loaded; worth a look.")


@strawberry.type(description="A problem found in the content files, at a file and line.")
class ContentDiagnostic:
    path: str = strawberry.field(description="The file, relative to the content folder.")
    line: int = strawberry.field(description="The 1-based line in that file.")
    severity: Severity = strawberry.field(
        description="ERROR: the edit was not loaded and the last good content is still served. "
                    "WARNING: loaded, but something was kept as an extra section or ignored.")
    message: str = strawberry.field(description="What is wrong, in words.")


@strawberry.type(description="A tag and how many articles have it.")
class TagCount:
    name: str = strawberry.field(description="The tag.")
    count: int = strawberry.field(description="How many articles have the tag.")


@strawberry.type(description="A year and how many articles are dated in it.")
class YearCount:
    year: int = strawberry.field(description="The year.")
    count: int = strawberry.field(description="How many articles are dated in the year.")


# Node table -> the function that builds its GraphQL object, for search hits.
NODE_WRAPS = {table: NODE_CLASSES[type_name].from_row for table, type_name in ids.TABLE_TYPES.items()}
NODE_WRAPS["key_points"] = KeyPoint.from_row


# Argument annotations shared by the list fields.
First = Annotated[Optional[int], strawberry.argument(
    description="Page size from the start (after `after`). Default 20, maximum 100.")]
After = Annotated[Optional[str], strawberry.argument(description="Return items after this cursor.")]
Last = Annotated[Optional[int], strawberry.argument(
    description="Page size from the end (before `before`). Maximum 100.")]
Before = Annotated[Optional[str], strawberry.argument(description="Return items before this cursor.")]


def _page(info: ContextInfo, first, after, last, before):
    settings = info.context.settings
    return page_request(first, after, last, before, settings.default_page_size,
                        settings.max_page_size)


def _article_where(info: ContextInfo, f: ArticleFilter | None) -> queries.Where:
    if f is None:
        return queries.Where()
    if f.query is not None:
        _check_query_length(f.query, info.context.settings.max_search_query_chars)
    return queries.article_where(f.tags, f.date_from, f.date_to, f.year, f.query,
                                 conn=info.context.snapshot.conn)


def _check_query_length(text: str, maximum: int) -> None:
    if len(text) > maximum:
        raise bad_input(f"Search text is longer than {maximum} characters.", argument="query")


def _list(info: ContextInfo, source: queries.Source, where: queries.Where, order,
          first, after, last, before, cls) -> Connection:
    request = _page(info, first, after, last, before)
    conn = info.context.snapshot.conn
    # "" stands where the filter's SQL stood before cursors were signed with the
    # filter as given (queries.Where): an unfiltered list's cursors stay valid.
    sign = signature(cls.__name__, order.keys, "", where.identity)
    page = keyset_page(conn, source.select, source.from_sql, where.sql, where.params, order,
                       request, sign)
    reads = info.context.reads  # a page depends on the whole collection (api.surrogates)
    reads.collections.add(LIST)
    reads.articles(page.rows, "id" if cls is Article else "article_id")
    return connections.build(page, lambda: queries.count(conn, source, where), cls.from_row)


def _text_filter(info: ContextInfo, where: queries.Where, table: str, alias: str,
                 query: str | None, fields=()) -> None:
    if query is not None:
        _check_query_length(query, info.context.settings.max_search_query_chars)
    where.extend(queries.text_where(query, table, alias, fields, info.context.snapshot.conn))


@strawberry.type(description="Read-only access to the analysis articles.")
class Query:
    @strawberry.field(description="Any object by its global ID; null when no such object exists.")
    async def node(self, info: ContextInfo,
                   id: Annotated[strawberry.ID, strawberry.argument(description="A global ID.")]
                   ) -> Optional[Node]:
        type_name, key = ids.decode(id)
        table = ids.NODE_TABLES[type_name]
        return await info.context.loaders.node_by_key(table, NODE_CLASSES[type_name].from_row).load(key)

    @strawberry.field(description="Objects by global ID, in the order asked; null for each ID with no "
                                  "object. At most 100 IDs.")
    async def nodes(self, info: ContextInfo,
                    ids_: Annotated[list[strawberry.ID], strawberry.argument(
                        name="ids", description="Global IDs.")]) -> list[Optional[Node]]:
        maximum = info.context.settings.max_nodes_ids
        if len(ids_) > maximum:
            raise bad_input(f"At most {maximum} IDs per request.", argument="ids")
        for global_id in ids_:
            ids.decode(global_id)  # reject the whole call on any invalid ID, before loading
        # The loads of all IDs are gathered, so each table is read once (DataLoader batching).
        return list(await asyncio.gather(*(Query.node(self, info, i) for i in ids_)))

    @strawberry.field(description="An article by slug; null when no article has that slug.")
    async def article(self, info: ContextInfo,
                      slug: Annotated[str, strawberry.argument(description="The article's slug.")]
                      ) -> Optional[Article]:
        return await info.context.loaders.one("articles", "slug", Article.with_body,
                                               queries.ARTICLE_WITH_BODY_COLUMNS).load(slug)

    @strawberry.field(description="Articles, newest first unless `orderBy` says otherwise.")
    def articles(self, info: ContextInfo, first: First = None, after: After = None,
                 last: Last = None, before: Before = None,
                 filter: Annotated[Optional[ArticleFilter], strawberry.argument(
                     description="Which articles to include.")] = None,
                 order_by: Annotated[Optional[list[ArticleOrder]], strawberry.argument(
                     description="Sort keys, most significant first. Default [DATE_DESC].")] = None,
                 ) -> Connection[Article]:
        where = _article_where(info, filter)
        order = queries.article_order(o.value for o in (order_by or []))
        return _list(info, queries.ARTICLES, where, order, first, after, last, before, Article)

    @strawberry.field(description="Trends across all articles: newest article first, then in order.")
    def trends(self, info: ContextInfo, first: First = None, after: After = None,
               last: Last = None, before: Before = None,
               filter: Annotated[Optional[TrendFilter], strawberry.argument(
                   description="Which trends to include.")] = None) -> Connection[Trend]:
        where = _article_where(info, filter.article if filter else None)
        _text_filter(info, where, "trends", "t", filter.query if filter else None)
        return _list(info, queries.TRENDS, where, queries.TRENDS.order, first, after, last, before,
                     Trend)

    @strawberry.field(description="Technical routes across all articles, in article and trend order.")
    def routes(self, info: ContextInfo, first: First = None, after: After = None,
               last: Last = None, before: Before = None,
               filter: Annotated[Optional[RouteFilter], strawberry.argument(
                   description="Which routes to include.")] = None) -> Connection[Route]:
        where = _article_where(info, filter.article if filter else None)
        if filter:
            _text_filter(info, where, "routes", "r", filter.query)
            _text_filter(info, where, "routes", "r", filter.pros, ("pros",))
            _text_filter(info, where, "routes", "r", filter.cons, ("cons",))
        return _list(info, queries.ROUTES, where, queries.ROUTES.order, first, after, last, before,
                     Route)

    @strawberry.field(description="Advice across all articles, in article and trend order.")
    def advice(self, info: ContextInfo, first: First = None, after: After = None,
               last: Last = None, before: Before = None,
               filter: Annotated[Optional[AdviceFilter], strawberry.argument(
                   description="Which advice to include.")] = None) -> Connection[Advice]:
        where = _article_where(info, filter.article if filter else None)
        _text_filter(info, where, "advice", "v", filter.query if filter else None)
        return _list(info, queries.ADVICE, where, queries.ADVICE.order, first, after, last, before,
                     Advice)

    @strawberry.field(description="Full-text search. The query is literal text: quotes, "
                                  "operators and brackets are ordinary characters. Every word must "
                                  "occur (CJK terms of two or more characters match exactly; "
                                  "Traditional and Simplified Chinese, width and case are the "
                                  "same); the last word, or a word followed by `*`, matches as a "
                                  "prefix too when it ends in two or more letters or digits "
                                  "(search as you type). Punctuation within a word is matched as "
                                  "written (`c++`, `node.js`, `3.5`), hyphens and apostrophes join "
                                  "its parts, and punctuation around it (`(c++)`, `ai.`) is left "
                                  "out. Hits are the objects that matched, best first.")
    def search(self, info: ContextInfo,
               query: Annotated[str, strawberry.argument(
                   description="Words to find, at most 200 characters.")],
               first: First = None, after: After = None, last: Last = None,
               before: Before = None,
               kinds: Annotated[Optional[list[SearchKind]], strawberry.argument(
                   description="Only hits of these kinds. Default: all. (Also in `filter`.)")
               ] = None,
               filter: Annotated[Optional[SearchFilter], strawberry.argument(
                   description="What to narrow the hits to.")] = None,
               ) -> Connection[SearchHit]:
        _check_query_length(query, info.context.settings.max_search_query_chars)
        request = _page(info, first, after, last, before)
        conn = info.context.snapshot.conn
        # `kinds` and `filter.kinds` narrow together (AND): the kinds both allow.
        kind_sets = [{k.value for k in chosen} for chosen in (kinds, filter and filter.kinds)
                     if chosen]
        hit_filter = search.HitFilter(
            kinds=sorted(set.intersection(*kind_sets)) if kind_sets else None,
            tags=filter.tags if filter else None,
            date_from=filter.date_from.isoformat() if filter and filter.date_from else None,
            date_to=filter.date_to.isoformat() if filter and filter.date_to else None,
            article=filter.article if filter else None)
        sign = signature("search", query, hit_filter.__dict__)
        page = search.hits_page(conn, query, hit_filter, request, sign)
        info.context.reads.collections.add(SEARCH)
        info.context.reads.articles(page.rows, "article_id")
        marked = search.marked_query(query, conn)
        return connections.build(page, lambda: search.count_hits(conn, query, hit_filter),
                                 lambda row: SearchHit(row=row, query=marked,
                                                       field=SearchField(row["field"]),
                                                       score=float(row["score"] or 0.0)))

    @strawberry.field(description="Problems in the content: the errors of the last failed live reload "
                                  "(while they last, the last good content is served), then the "
                                  "warnings of the content being served.")
    def content_diagnostics(self, info: ContextInfo) -> list[ContentDiagnostic]:
        info.context.reads.collections.add(DIAGNOSTICS)
        errors_now = [ContentDiagnostic(path=d.path, line=d.line, severity=Severity.ERROR,
                                        message=d.message) for d in info.context.problems]
        warnings = [ContentDiagnostic(path=r["path"], line=r["line"],
                                      severity=Severity(r["severity"]), message=r["message"])
                    for r in queries.diagnostics(info.context.snapshot.conn)]
        return errors_now + warnings

    @strawberry.field(description="Every tag with its article count, most used first.")
    def tags(self, info: ContextInfo) -> list[TagCount]:
        info.context.reads.collections.add(FACETS)
        return [TagCount(name=r["name"], count=r["count"])
                for r in queries.tag_counts(info.context.snapshot.conn)]

    @strawberry.field(description="Every year with its article count, newest first.")
    def years(self, info: ContextInfo) -> list[YearCount]:
        info.context.reads.collections.add(FACETS)
        return [YearCount(year=r["year"], count=r["count"])
                for r in queries.year_counts(info.context.snapshot.conn)]


class ContentSchema(strawberry.Schema):
    """Our schema: errors are logged by the endpoint (with the request id), not here."""

    def process_errors(self, errors, execution_context=None) -> None:
        return None


def build_schema(settings: Settings | None = None) -> ContentSchema:
    settings = settings or Settings()
    # Rule classes are created once: every request of this schema validates with them.
    rules = [create_depth_rule(settings.max_depth), alias_rule(settings.max_aliases),
             MaxIntrospectionDepthRule,
             create_total_depth_rule(max(settings.max_depth, settings.max_introspection_depth))]
    size = settings.document_cache_size
    validated: LRU = LRU(size)  # api.validation_cache: per schema, like its rules
    covered = frozenset((*specified_rules, *rules))  # what api.quick_validation proves
    documents = Documents(size)  # shared with the endpoint (api.documents)
    schema = ContentSchema(
        query=Query,
        types=[Article, Trend, Route, Advice, Section],
        extensions=[
            lambda: MaxTokensLimiter(settings.max_tokens),
            lambda: DocumentCache(documents),
            lambda: AddValidationRules(rules),
            lambda: DocumentValidationCache(validated, limits, covered),
        ],
        config=StrawberryConfig(disable_field_suggestions=settings.production),
        execution_context_class=CompiledExecutionContext if settings.compiled_execution else None,
    )
    fast.install(schema, FAST_TYPES)
    # The limits, for checking documents outside a request (api.trusted).
    schema.limit_rules = tuple(rules)
    schema.documents = documents
    schema.validated = validated
    # api.prepared: kept across reloads (GraphiQL's is 87 kB)
    schema.introspection = IntrospectionAnswers(16, 4 * 1024 * 1024)
    # Read by the validation extension, which is built per request (after this).
    limits = limits_for(schema._schema, settings.max_depth, settings.max_aliases)
    schema.quick_limits = limits  # and by api.prepared's proof of unseen documents
    return schema


# Types whose fields get direct resolvers (see api.fast); Query keeps Strawberry's,
# because its arguments include input objects that Strawberry converts.
FAST_TYPES = {"Article", "Trend", "KeyPoint", "Route", "RoutePoint", "Advice", "Section", "SourceSpan",
              "Heading", "PageInfo", "SearchHit", "TagCount", "YearCount",
              *(f"{name}{suffix}" for name in ("Article", "Trend", "Route", "Advice", "SearchHit")
                for suffix in ("Connection", "Edge"))}


def export_sdl() -> str:
    """The schema in SDL, as committed in schema.graphql."""
    return build_schema().as_str() + "\n"
