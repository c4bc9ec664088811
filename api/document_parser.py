"""A parser for the executable documents clients send, making graphql-core's document faster.

graphql-core's lexer reads a text character by character and its parser takes
several method calls per token: 0.5 ms for the benchmark's article query (131
tokens), most of an unseen text's cost once validation is quick
(api.quick_validation). Here one regular expression cuts the text into tokens
(api.document_lexer) and one recursive descent over them builds the same nodes,
with the same locations, tokens and token count: 0.17 ms for that query against 0.54 ms
(best of 5 rounds of 2,000 texts, each with a comment of its own, in one process).

It reads what clients write: operations, fragments, fields, arguments,
variables, directives, and values made of names, numbers and strings (escapes
included). Anything else (a block string, a \\u escape of half a surrogate pair
or of variable width, a description, type system definitions, a character it
does not know, a syntax error, a document over the token limit) makes it give
up, and graphql-core parses the text instead: every syntax error and its message
still come from graphql-core.
tests/api/test_document_parser.py compares the two parsers' documents, node by
node and location by location, on written, generated and mutated texts.
"""

from __future__ import annotations

from graphql import DocumentNode, OperationType, Source, parse as graphql_parse
from graphql.language.ast import (ArgumentNode, BooleanValueNode, DirectiveNode, EnumValueNode,
                                  FieldNode, FloatValueNode, FragmentDefinitionNode,
                                  FragmentSpreadNode, InlineFragmentNode, IntValueNode,
                                  ListTypeNode, ListValueNode, Location, NamedTypeNode, NameNode,
                                  NonNullTypeNode, NullValueNode, ObjectFieldNode,
                                  ObjectValueNode, OperationDefinitionNode, SelectionSetNode,
                                  StringValueNode, VariableDefinitionNode, VariableNode)
from graphql.language.parser import MAX_NESTING_DEPTH

from api.document_lexer import GiveUp, lex


def parse(text: str, **options) -> DocumentNode:
    """graphql-core's ``parse(text, **options)``, made by this module's parser when
    it can read the text (with no option but ``max_tokens``). Either way, its
    tokens are linked forward only (see _forward_only)."""
    if not options.keys() <= {"max_tokens"}:
        return _forward_only(graphql_parse(text, **options))
    try:
        return _Parser(text, options.get("max_tokens")).document()
    except GiveUp:
        return _forward_only(graphql_parse(text, **options))


def _forward_only(document: DocumentNode) -> DocumentNode:
    """graphql-core's ``document`` with its tokens linked forward only, as this
    module's lexer links them.

    graphql-core's lexer links each token to the one before and the one after
    it, so a document's tokens form reference cycles, which only the garbage
    collector frees: for a text seen once, its passes took 180 µs of a 1.7 ms
    request (in process, the benchmark's (a) with a new comment each time).
    Nothing reads a token's ``prev`` once the text is parsed; without it the
    tokens go with the document by reference counting. (Walking the tokens of a
    document this module made, which have no such links, took 8 µs a request.)
    """
    token = document.loc.start_token if document.loc is not None else None
    while token is not None:
        token.prev = None
        token = token.next
    return document


_OPERATIONS = {"query": OperationType.QUERY, "mutation": OperationType.MUTATION,
               "subscription": OperationType.SUBSCRIPTION}
_new = object.__new__


def _node(cls, **fields):
    """A node as graphql-core's dataclass makes it, without its frozen __init__ (which
    sets each field through object.__setattr__): every field is given."""
    node = _new(cls)
    node.__dict__.update(fields)
    return node


class _Parser:
    def __init__(self, text: str, max_tokens: int | None) -> None:
        self.source = Source(text)
        self.tokens, self.kinds, self.count = lex(text, max_tokens)
        self.at = 0  # the index of the next token in self.tokens
        self.depth = 0  # nesting, as graphql-core counts it

    # Helpers, as graphql-core's parser has them: the current token, advancing, locations.

    def _loc(self, start: int) -> Location:
        """The location from token ``start`` to the last token taken."""
        return Location(self.tokens[start], self.tokens[self.at - 1], self.source)

    def _expect(self, kind: str) -> None:
        if self.kinds[self.at] != kind:
            raise GiveUp
        self.at += 1

    def _optional(self, kind: str) -> bool:
        if self.kinds[self.at] == kind:
            self.at += 1
            return True
        return False

    def _at_on(self) -> bool:
        """Whether the next token is the name "on" (a type condition's keyword)."""
        return self.kinds[self.at] == "N" and self.tokens[self.at].value == "on"

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING_DEPTH:
            raise GiveUp  # graphql-core raises its RecursionError

    # Document and definitions.

    def document(self) -> DocumentNode:
        self.at = 1  # past SOF
        definitions = [self._definition()]
        while not self._optional("E"):
            definitions.append(self._definition())
        document = _node(DocumentNode, loc=self._loc(0), definitions=tuple(definitions))
        # As graphql-core exposes it: a non-traversable attribute.
        object.__setattr__(document, "token_count", self.count)
        return document

    def _definition(self):
        kind = self.kinds[self.at]
        if kind == "{":
            start = self.at
            selection_set = self._selection_set()
            return _node(OperationDefinitionNode, loc=self._loc(start),
                         selection_set=selection_set, description=None, name=None,
                         variable_definitions=None, directives=None,
                         operation=OperationType.QUERY)
        if kind != "N":
            raise GiveUp  # a description, or not a definition
        keyword = self.tokens[self.at].value
        if keyword in _OPERATIONS:
            return self._operation(_OPERATIONS[keyword])
        if keyword == "fragment":
            return self._fragment_definition()
        raise GiveUp  # type system definitions and extensions

    def _operation(self, operation: OperationType) -> OperationDefinitionNode:
        start = self.at
        self.at += 1  # the operation's keyword
        name = self._name() if self.kinds[self.at] == "N" else None
        variables = None
        if self._optional("("):
            variables = [self._variable_definition()]
            while not self._optional(")"):
                variables.append(self._variable_definition())
            variables = tuple(variables)
        directives = self._directives(False)
        selection_set = self._selection_set()
        return _node(OperationDefinitionNode, loc=self._loc(start), selection_set=selection_set,
                     description=None, name=name, variable_definitions=variables,
                     directives=directives, operation=operation)

    def _variable_definition(self) -> VariableDefinitionNode:
        start = self.at
        variable = self._variable()
        self._expect(":")
        type_ = self._type()
        default = self._value(True) if self._optional("=") else None
        directives = self._directives(True)
        return _node(VariableDefinitionNode, loc=self._loc(start), description=None,
                     variable=variable, type=type_, default_value=default,
                     directives=directives)

    def _variable(self) -> VariableNode:
        start = self.at
        self._expect("$")
        name = self._name()
        return _node(VariableNode, loc=self._loc(start), name=name)

    def _fragment_definition(self) -> FragmentDefinitionNode:
        start = self.at
        self.at += 1  # "fragment"
        if self._at_on():
            raise GiveUp  # "on" names no fragment
        name = self._name()
        if not self._at_on():
            raise GiveUp
        self.at += 1
        type_condition = self._named_type()
        directives = self._directives(False)
        selection_set = self._selection_set()
        return _node(FragmentDefinitionNode, loc=self._loc(start), selection_set=selection_set,
                     description=None, name=name, variable_definitions=(),
                     directives=directives, type_condition=type_condition)

    # Selections.

    def _selection_set(self) -> SelectionSetNode:
        self._enter()
        start = self.at
        self._expect("{")
        selections = []
        kinds = self.kinds
        while kinds[self.at] != "}":
            selections.append(self._fragment() if kinds[self.at] == "..." else self._field())
        self.at += 1
        self.depth -= 1
        return _node(SelectionSetNode, loc=self._loc(start), selections=tuple(selections))

    def _field(self) -> FieldNode:
        # The hottest path (most of a document is fields): names read in place, and a
        # field of one token shares its name's location.
        tokens, kinds, source = self.tokens, self.kinds, self.source
        start = at = self.at
        if kinds[at] != "N":
            raise GiveUp
        token = tokens[at]
        loc = Location(token, token, source)
        name = _node(NameNode, loc=loc, value=token.value)
        alias = None
        at += 1
        if kinds[at] == ":":
            at += 1
            if kinds[at] != "N":
                raise GiveUp
            token = tokens[at]
            alias, name = name, _node(NameNode, loc=Location(token, token, source),
                                      value=token.value)
            at += 1
        self.at = at
        arguments = directives = selection_set = None
        kind = kinds[at]
        if kind == "(":
            arguments = self._arguments(False)
            kind = kinds[self.at]
        if kind == "@":
            directives = self._directives(False)
            kind = kinds[self.at]
        if kind == "{":
            selection_set = self._selection_set()
        if alias is not None or self.at - 1 != start:
            loc = Location(tokens[start], tokens[self.at - 1], source)
        # else a field of one token: its location is its name's (the same values;
        # graphql-core makes two equal objects, and nothing changes a location).
        return _node(FieldNode, loc=loc, directives=directives, name=name, alias=alias,
                     arguments=arguments, selection_set=selection_set)

    def _fragment(self):
        start = self.at
        self.at += 1  # "..."
        on = self._at_on()
        if on:
            self.at += 1
        elif self.kinds[self.at] == "N":
            name = self._name()
            directives = self._directives(False)
            return _node(FragmentSpreadNode, loc=self._loc(start), directives=directives,
                         name=name, arguments=None)
        type_condition = self._named_type() if on else None
        directives = self._directives(False)
        selection_set = self._selection_set()
        return _node(InlineFragmentNode, loc=self._loc(start), directives=directives,
                     selection_set=selection_set, type_condition=type_condition)

    def _arguments(self, const: bool):
        if not self._optional("("):
            return None
        arguments = [self._argument(const)]
        while not self._optional(")"):
            arguments.append(self._argument(const))
        return tuple(arguments)

    def _argument(self, const: bool) -> ArgumentNode:
        start = self.at
        name = self._name()
        self._expect(":")
        value = self._value(const)
        return _node(ArgumentNode, loc=self._loc(start), name=name, value=value)

    def _directives(self, const: bool):
        if self.kinds[self.at] != "@":
            return None
        directives = []
        while self.kinds[self.at] == "@":
            start = self.at
            self.at += 1
            name = self._name()
            arguments = self._arguments(const)
            directives.append(_node(DirectiveNode, loc=self._loc(start), name=name,
                                    arguments=arguments))
        return tuple(directives)

    # Names, types and values.

    def _name(self) -> NameNode:
        at = self.at
        if self.kinds[at] != "N":
            raise GiveUp
        self.at = at + 1
        token = self.tokens[at]
        return _node(NameNode, loc=Location(token, token, self.source), value=token.value)

    def _named_type(self) -> NamedTypeNode:
        start = self.at
        name = self._name()
        return _node(NamedTypeNode, loc=self._loc(start), name=name)

    def _type(self):
        start = self.at
        if self._optional("["):
            self._enter()
            inner = self._type()
            self.depth -= 1
            self._expect("]")
            type_ = _node(ListTypeNode, loc=self._loc(start), type=inner)
        else:
            type_ = self._named_type()
        if self._optional("!"):
            return _node(NonNullTypeNode, loc=self._loc(start), type=type_)
        return type_

    def _value(self, const: bool):
        kind = self.kinds[self.at]
        start = self.at
        token = self.tokens[start]
        if kind == "$":
            if const:
                raise GiveUp
            return self._variable()
        if kind == "[":
            self._enter()
            self.at += 1
            values = []
            while not self._optional("]"):
                values.append(self._value(const))
            self.depth -= 1
            return _node(ListValueNode, loc=self._loc(start), values=tuple(values))
        if kind == "{":
            self._enter()
            self.at += 1
            fields = []
            while not self._optional("}"):
                field_start = self.at
                name = self._name()
                self._expect(":")
                value = self._value(const)
                fields.append(_node(ObjectFieldNode, loc=self._loc(field_start), name=name,
                                    value=value))
            self.depth -= 1
            return _node(ObjectValueNode, loc=self._loc(start), fields=tuple(fields))
        self.at += 1
        loc = Location(token, token, self.source)
        if kind == "N":
            value = token.value
            if value == "true" or value == "false":
                return _node(BooleanValueNode, loc=loc, value=value == "true")
            if value == "null":
                return _node(NullValueNode, loc=loc)
            return _node(EnumValueNode, loc=loc, value=value)
        if kind == "S":
            return _node(StringValueNode, loc=loc, value=token.value, block=False)
        if kind == "I":
            return _node(IntValueNode, loc=loc, value=token.value)
        if kind == "F":
            return _node(FloatValueNode, loc=loc, value=token.value)
        raise GiveUp
