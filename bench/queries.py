"""The benchmark's GraphQL queries, ours and the datasette-graphql peer's equivalents.

How the peer queries are equivalent (datasette-graphql 2.2 builds its schema
from the tables; every foreign key pointing at a table becomes a nested
``<table>_list`` collection on it, resolved by one internal datasette JSON
request per parent row):

* Same rows, same order, same text. Every object our query returns maps to
  one row of the same table, and every field we ask for maps to its column:
  text fields in their default MARKDOWN format are the ``*_md`` columns,
  ``source { path startLine endLine }`` is ``source_path start_line end_line``,
  ``tags`` and ``headings`` are the JSON text columns of ``articles`` (the
  peer returns them as strings; we return typed lists).
* Tables: the peer reads the tables that hold the rows (``articles_stored``,
  ``trends_stored``, ...; loader.schema.stored), since its nested lists
  follow foreign keys and the views of the same names have none. Their
  ``*_md`` columns are always stored in full. Below, ``trends`` stands for
  ``trends_stored`` and so on.
* Nesting: ``article.trends`` is ``trends_list`` (FK trends.article_id),
  ``trend.keyPoints``/``routes``/``advice``/``sections`` are
  ``key_points_list``/``routes_list``/``advice_list``/``sections_list``
  (FKs on trend_id), and ``article.sections`` is ``sections_list`` filtered
  to ``trend_id IS NULL``. Each list is sorted by ``position`` as ours is,
  and asks for ``first: 100`` because the peer's default page is 10 rows.
* ``route.pros`` and ``route.cons`` are one ``route_points_list`` sorted by
  id (source order) with ``kind``: the same information in one nested
  request per route instead of two, the cheaper form for the peer.
* (b): ``articles(first: 100)`` in our default order (DATE_DESC) is the
  peer's ``articles(first: 100, sort_desc: date)``. Tied dates may order
  differently; the set of fields per article is the same as (a).
* What only we return: opaque global ``id``s (the peer returns the integer
  ``id`` and the stable ``key``), the derived ``excerpt`` (a computed field
  the peer has no column for), ``year``/``wordCount``/``readingTimeMinutes``
  are plain columns on both sides.
"""

from __future__ import annotations

import json

from loader.schema import stored

_SPAN = "source { path startLine endLine }"

# Every field of an article going down the tree (back-references such as
# trend.article are left out: they would only repeat the parent).
_ARTICLE_FIELDS = f"""
    id slug title date year description tags wordCount readingTimeMinutes
    headings {{ level text anchor line }}
    summaryHeading intro summary body excerpt
    {_SPAN}
    sections {{ id position heading body {_SPAN} }}
    trends {{
      id position label title anchor statusIntro
      {_SPAN}
      keyPoints {{ position label text {_SPAN} }}
      routes {{ id position label name intro pros cons {_SPAN} }}
      advice {{ id position title text {_SPAN} }}
      sections {{ id position heading body {_SPAN} }}
    }}
"""

ARTICLE = f"query Article($slug: String!) {{\n  article(slug: $slug) {{{_ARTICLE_FIELDS}  }}\n}}\n"

ARTICLES = (f"query Articles {{\n  articles(first: 100) {{\n    totalCount\n"
            f"    pageInfo {{ hasNextPage endCursor }}\n"
            f"    nodes {{{_ARTICLE_FIELDS}    }}\n  }}\n}}\n")

SEARCH = """query Search($q: String!) {
  search(query: $q, first: 20) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { field score snippet article { slug title } node { __typename ... on Node { id } } }
  }
}
"""

SEARCH_TERM = "芯片"

# The peer reads the tables that hold the rows: its nested lists follow foreign
# keys, which the views readers see (loader.schema.VIEWED) do not have.
_S = {table: stored(table) for table in
      ("articles", "sections", "trends", "key_points", "routes", "route_points", "advice")}

_PEER_SPAN = "source_path start_line end_line"
_PEER_ARTICLE_FIELDS = f"""
      id key slug title date year description_ tags word_count reading_time_minutes headings
      summary_heading intro_md summary_md body_md {_PEER_SPAN}
      {_S['sections']}_list(filter: [{{trend_id: {{isnull: true}}}}], sort: position, first: 100) {{
        nodes {{ id key position heading body_md {_PEER_SPAN} }}
      }}
      {_S['trends']}_list(sort: position, first: 100) {{
        nodes {{
          id key position label title anchor status_intro_md {_PEER_SPAN}
          {_S['key_points']}_list(sort: position, first: 100) {{
            nodes {{ position label text_md {_PEER_SPAN} }}
          }}
          {_S['routes']}_list(sort: position, first: 100) {{
            nodes {{
              id key position label name intro_md {_PEER_SPAN}
              {_S['route_points']}_list(sort: id, first: 100) {{ nodes {{ kind position text_md }} }}
            }}
          }}
          {_S['advice']}_list(sort: position, first: 100) {{
            nodes {{ id key position title text_md {_PEER_SPAN} }}
          }}
          {_S['sections']}_list(sort: position, first: 100) {{
            nodes {{ id key position heading body_md {_PEER_SPAN} }}
          }}
        }}
      }}
"""

PEER_ARTICLE = (f"query Article($slug: String!) {{\n  {_S['articles']}(filter: [{{slug: {{eq: $slug}}}}], "
                f"first: 1) {{\n    nodes {{{_PEER_ARTICLE_FIELDS}    }}\n  }}\n}}\n")

PEER_ARTICLES = (f"query Articles {{\n  {_S['articles']}(first: 100, sort_desc: date) {{\n"
                 f"    totalCount\n    nodes {{{_PEER_ARTICLE_FIELDS}    }}\n  }}\n}}\n")


def body(query: str, variables: dict | None = None) -> str:
    """A GraphQL-over-HTTP JSON body on one line (the wrk script reads one body a line)."""
    payload: dict = {"query": query}
    if variables:
        payload["variables"] = variables
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
