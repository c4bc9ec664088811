"""Search docs: which text of which node each one indexes.

A search doc (table search_docs) is one searchable text of one node. Its
text is not copied into the store: SEARCH_TEXTS says which column of the
node holds it, and search_text_sql() reads it back. What the doc stands for
(the hit's kind, its node's table and its field) is stored as one number,
a ``slot`` (a position in SEARCH_SLOTS), which the view search_docs spells
out (slot_columns_sql).
"""

from __future__ import annotations

# Where each search doc's text is stored, by (node_table, field): a column of
# the node (alias n), or an expression over it. A labelled item (a key point,
# a pro or con) is searched as its label, a space and its text
# (loader.store.labelled builds the same string for the index).
_LABELLED = ("CASE WHEN n.label IS NULL OR n.label = '' THEN n.text_text "
             "WHEN n.text_text = '' THEN n.label ELSE n.label || ' ' || n.text_text END")
SEARCH_TEXTS: dict[tuple[str, str], str] = {
    ("articles", "title"): "n.title",
    ("articles", "description"): "n.description",
    ("articles", "intro"): "n.intro_text",
    ("articles", "summary"): "n.summary_text",
    ("sections", "heading"): "n.heading",
    ("sections", "body"): "n.body_text",
    ("trends", "title"): "n.title",
    ("trends", "intro"): "n.intro_text",
    ("trends", "statusIntro"): "n.status_intro_text",
    ("trends", "statusOutro"): "n.status_outro_text",
    ("trends", "routesIntro"): "n.routes_intro_text",
    ("trends", "adviceIntro"): "n.advice_intro_text",
    ("trends", "adviceOutro"): "n.advice_outro_text",
    ("key_points", "text"): _LABELLED,
    ("routes", "name"): "n.name",
    ("routes", "intro"): "n.intro_text",
    ("route_points", "pros"): _LABELLED,
    ("route_points", "cons"): _LABELLED,
    ("advice", "title"): "n.title",
    ("advice", "text"): "n.text_text",
}


# The GraphQL SearchKind of a hit in each node table (pros and cons are a route's).
_KINDS = {"articles": "ARTICLE", "sections": "SECTION", "trends": "TREND",
          "key_points": "KEY_POINT", "routes": "ROUTE", "route_points": "ROUTE",
          "advice": "ADVICE"}

# What a search doc's slot stands for: (kind, node_table, field), where
# node_table is the hit's node (a route, for its pros and cons). A slot is a
# position in this list, so reordering SEARCH_TEXTS changes the schema.
SEARCH_SLOTS: list[tuple[str, str, str]] = [
    (_KINDS[table], "routes" if table == "route_points" else table, field)
    for table, field in SEARCH_TEXTS]
SLOT_OF: dict[tuple[str, str], int] = {(node_table, field): slot
                                        for slot, (_, node_table, field) in enumerate(SEARCH_SLOTS)}


def search_text_sql(doc: str = "d") -> str:
    """An SQL expression for the text of the search doc aliased ``doc``: one
    primary-key lookup in its node's table (for pros and cons, in
    route_points by point_id). Unqualified table names, so that a connection
    that hides drafts (api.drafts) reads through its own views."""
    cases = []
    for slot, ((table, _), expression) in enumerate(SEARCH_TEXTS.items()):
        key = f"{doc}.point_id" if table == "route_points" else f"{doc}.node_id"
        cases.append(f"WHEN {slot} THEN (SELECT {expression} FROM {table} n WHERE n.id = {key})")
    return f"(CASE {doc}.slot " + " ".join(cases) + " END)"


def slot_columns_sql() -> list[str]:
    """The view's columns kind, node_table and field, from the stored slot."""
    columns = []
    for part, name in enumerate(("kind", "node_table", "field")):
        cases = " ".join(f"WHEN {slot} THEN '{parts[part]}'"
                         for slot, parts in enumerate(SEARCH_SLOTS))
        columns.append(f"CASE slot {cases} END AS {name}")
    return columns
