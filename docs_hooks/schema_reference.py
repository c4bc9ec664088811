"""MkDocs hook: the GraphQL schema reference, generated from schema.graphql at build time.

One page per named type (reference/schema/<Type>.md), a directives page and an index,
added to the build as generated files and to the navigation under the entry that
holds ``reference/schema/index.md``. Nothing here is written by hand: descriptions,
arguments, defaults, enum values, deprecations and directives all come from the SDL.

Why not mkdocstrings-graphql (0.3, the maintained generator for MkDocs): it renders the
arguments of Query fields only, not of object fields (Article.excerpt(length:)); it has no
default values, no deprecations (Advice.title) and no directives; and it pins graphql-core
~=3.2 (and typing-extensions ~=4.13) while the API runs on graphql-core 3.3. SpectaQL and
Magidoc build a separate single-page site that MkDocs' strict link checking, navigation
and search would not cover.
"""

from __future__ import annotations

from pathlib import Path

import graphql
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
)
from mkdocs.structure.files import File, Files

SCHEMA_FILE = "schema.graphql"
PREFIX = "reference/schema"
INDEX = f"{PREFIX}/index.md"
DIRECTIVES = f"{PREFIX}/directives.md"

# Sections of the index and of the navigation, in reading order.
KINDS: list[tuple[str, type]] = [
    ("Objects", GraphQLObjectType),
    ("Interfaces", GraphQLInterfaceType),
    ("Unions", GraphQLUnionType),
    ("Enums", GraphQLEnumType),
    ("Input objects", GraphQLInputObjectType),
    ("Scalars", GraphQLScalarType),
]
KIND_NAMES = {
    GraphQLObjectType: "object type",
    GraphQLInterfaceType: "interface",
    GraphQLUnionType: "union",
    GraphQLEnumType: "enum",
    GraphQLInputObjectType: "input object",
    GraphQLScalarType: "scalar",
}


def load_schema(root: Path) -> GraphQLSchema:
    return graphql.build_schema((root / SCHEMA_FILE).read_text("utf-8"))


def documented_types(schema: GraphQLSchema) -> list[GraphQLNamedType]:
    """Every named type but introspection's own, root operation types first."""
    roots = [t for t in (schema.query_type, schema.mutation_type, schema.subscription_type) if t]
    rest = sorted((t for name, t in schema.type_map.items()
                   if not name.startswith("__") and t not in roots), key=lambda t: t.name)
    return roots + rest


def page_of(type_name: str) -> str:
    return f"{PREFIX}/{type_name}.md"


# -- rendering --------------------------------------------------------------

def type_ref(kind) -> str:
    """A field or argument type as markdown, its named type linked: \\[[Trend](Trend.md)!\\]!."""
    if isinstance(kind, graphql.GraphQLNonNull):
        return type_ref(kind.of_type) + "!"
    if isinstance(kind, graphql.GraphQLList):
        return "\\[" + type_ref(kind.of_type) + "\\]"
    return f"[{kind.name}]({kind.name}.md)"


def text(description: str | None) -> str:
    return (description or "").strip() or "*No description.*"


def first_sentence(description: str | None) -> str:
    line = (description or "").strip().split("\n\n")[0].replace("\n", " ")
    return line if len(line) <= 160 else line[:157].rsplit(" ", 1)[0] + " …"


def deprecation(reason: str | None) -> list[str]:
    if reason is None:
        return []
    return ['!!! warning "Deprecated"', "", "    " + reason.strip().replace("\n", "\n    "), ""]


def table_cell(value: str) -> str:
    return value.replace("\n\n", "<br>").replace("\n", " ").replace("|", "\\|")


def default_of(arg: GraphQLArgument | GraphQLInputField) -> str:
    if arg.ast_node is not None and arg.ast_node.default_value is not None:
        return f"`{graphql.print_ast(arg.ast_node.default_value)}`"
    return ""


def arguments_table(args: dict[str, GraphQLArgument]) -> list[str]:
    lines = ["| Argument | Type | Default | Description |", "|---|---|---|---|"]
    for name, arg in args.items():
        about = table_cell(text(arg.description))
        if arg.deprecation_reason is not None:
            about = f"**Deprecated:** {table_cell(arg.deprecation_reason)} {about}"
        lines.append(f"| `{name}` | {type_ref(arg.type)} | {default_of(arg)} | {about} |")
    return lines + [""]


def field_section(name: str, field: GraphQLField | GraphQLInputField) -> list[str]:
    # An explicit id keeps the anchor the field's own name: Article.md#trends.
    lines = [f"### `{name}` {{ #{name} }}", "", f"**Type:** {type_ref(field.type)}", ""]
    lines += deprecation(field.deprecation_reason)
    lines += [text(field.description), ""]
    if isinstance(field, GraphQLInputField):
        default = default_of(field)
        if default:
            lines += [f"**Default:** {default}", ""]
    elif field.args:
        lines += ["**Arguments**", ""] + arguments_table(field.args)
    return lines


def usages(schema: GraphQLSchema) -> dict[str, list[str]]:
    """For each type name, markdown links to the fields and arguments that use it."""
    found: dict[str, list[str]] = {}

    def add(kind, where: str) -> None:
        found.setdefault(graphql.get_named_type(kind).name, []).append(where)

    for owner in documented_types(schema):
        if isinstance(owner, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            for name, field in owner.fields.items():
                link = f"[{owner.name}.{name}]({owner.name}.md#{name})"
                add(field.type, link)
                for arg_name, arg in getattr(field, "args", {}).items():
                    add(arg.type, f"{link} (`{arg_name}:`)")
        if isinstance(owner, GraphQLUnionType):
            for member in owner.types:
                add(member, f"[{owner.name}]({owner.name}.md) (member)")
    return found


def type_page(schema: GraphQLSchema, kind: GraphQLNamedType, used_by: list[str]) -> str:
    lines = [f"# {kind.name}", "", f"*{KIND_NAMES[type(kind)]}*"]
    interfaces = getattr(kind, "interfaces", ())
    if interfaces:
        lines[-1] += " · implements " + ", ".join(f"[{i.name}]({i.name}.md)" for i in interfaces)
    lines += ["", text(kind.description), ""]

    if isinstance(kind, GraphQLScalarType) and kind.specified_by_url:
        lines += [f"Specified by: <{kind.specified_by_url}>", ""]
    if isinstance(kind, GraphQLInterfaceType):
        implementations = schema.get_implementations(kind).objects
        lines += ["## Implemented by", ""]
        lines += [f"- [{o.name}]({o.name}.md)" for o in implementations] + [""]
    if isinstance(kind, GraphQLUnionType):
        lines += ["## Members", ""]
        lines += [f"- [{m.name}]({m.name}.md): {first_sentence(m.description)}"
                  for m in kind.types] + [""]
    if isinstance(kind, GraphQLEnumType):
        lines += ["## Values", ""]
        for name, value in kind.values.items():
            lines += [f"### `{name}` {{ #{name} }}", ""]
            lines += deprecation(value.deprecation_reason)
            lines += [text(value.description), ""]
    if isinstance(kind, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
        lines += ["## Fields", ""]
        for name, field in kind.fields.items():
            lines += field_section(name, field)
    if used_by:
        lines += ["## Used by", ""] + [f"- {where}" for where in used_by] + [""]
    return "\n".join(lines)


def directives_page(schema: GraphQLSchema) -> str:
    lines = ["# Directives", "",
             "The directives this schema accepts in operations and uses in its definition.", ""]
    for directive in schema.directives:
        name = directive.name
        lines += [f"## `@{name}` {{ #{name.lower()} }}", ""]
        where = ", ".join(f"`{location.name}`" for location in directive.locations)
        lines += [f"**Locations:** {where}" + (" (repeatable)" if directive.is_repeatable else ""), ""]
        lines += [text(directive.description), ""]
        if directive.args:
            lines += ["**Arguments**", ""] + arguments_table(directive.args)
    return "\n".join(lines)


def index_page(schema: GraphQLSchema) -> str:
    types = documented_types(schema)
    lines = ["# Schema reference", "",
             "Generated from `schema.graphql` when the docs are built: every type, field, "
             "argument, enum value and directive, with its description and any deprecation.",
             "Entry points are the fields of [Query](Query.md).", ""]
    for title, kind in KINDS:
        members = [t for t in types if type(t) is kind]
        if not members:
            continue
        lines += [f"## {title}", "", "| Type | Description |", "|---|---|"]
        lines += [f"| [{t.name}]({t.name}.md) | {table_cell(first_sentence(t.description))} |"
                  for t in members] + [""]
    lines += ["## Directives", "", "See [Directives](directives.md).", ""]
    return "\n".join(lines)


def schema_pages(schema: GraphQLSchema) -> dict[str, str]:
    """{src_uri: markdown} of every generated page of the schema reference."""
    used = usages(schema)
    pages = {INDEX: index_page(schema), DIRECTIVES: directives_page(schema)}
    for kind in documented_types(schema):
        pages[page_of(kind.name)] = type_page(schema, kind, used.get(kind.name, []))
    return pages


# -- MkDocs events ----------------------------------------------------------

def _schema_nav(schema: GraphQLSchema) -> list:
    types = documented_types(schema)
    nav: list = [INDEX]
    for title, kind in KINDS:
        members = [{t.name: page_of(t.name)} for t in types if type(t) is kind]
        if members:
            nav.append({title: members})
    nav.append({"Directives": DIRECTIVES})
    return nav


def _replace_placeholder(items: list, schema: GraphQLSchema) -> bool:
    """Put the schema pages where the nav lists INDEX alone."""
    for position, item in enumerate(items):
        if isinstance(item, dict):
            for title, value in item.items():
                if value == [INDEX] or value == INDEX:
                    item[title] = _schema_nav(schema)
                    return True
                if isinstance(value, list) and _replace_placeholder(value, schema):
                    return True
    return False


def on_config(config):
    schema = load_schema(Path(config.config_file_path).parent)
    if not _replace_placeholder(config.nav or [], schema):
        raise ValueError(f"mkdocs.yml: no nav entry holds {INDEX} for the schema reference")
    return config


def on_files(files: Files, config) -> Files:
    schema = load_schema(Path(config.config_file_path).parent)
    for src_uri, content in schema_pages(schema).items():
        files.append(File.generated(config, src_uri, content=content))
    return files
