"""The lexer of api.document_parser: a document's text cut into graphql-core's tokens.

One regular expression takes a token a match, where graphql-core's lexer reads a
character at a time. The tokens are graphql-core's own ``Token`` objects, with
the same kinds, offsets, lines, columns and values, chained forward as its lexer
chains them. What graphql-core alone reads (see ``_TOKENS``) raises ``GiveUp``.
"""

from __future__ import annotations

import re

from graphql.language.ast import Token
from graphql.language.token_kind import TokenKind


class GiveUp(Exception):
    """The text holds something api.document_parser leaves to graphql-core."""


# One token a match, with the ignored characters before it, in the order
# graphql-core's lexer tells tokens apart; a line break is a match of its own, so
# that lines are counted without looking into what was ignored; at the end, only
# ignored characters. What no group matches (".", a lone "..", a quote starting a
# block string, a string with a control character or an escape graphql-core alone
# reads, a number run into a name, a surrogate) is taken by the last group, and the
# text goes to graphql-core. A string's characters are matched by runs,
# possessively: no alternative can match a quote, so nothing is lost, and Python's
# engine keeps no backtracking state per character (which took 23 MB for a string
# of 60 kB).
_TOKENS = re.compile(r"""[\t ,\ufeff]*(?:
    ([_A-Za-z][_0-9A-Za-z]*)                                        # 1 name
  | (\.\.\.|[!$&()\[\]{}:=@|])                                       # 2 punctuator
  | (\r\n|\n|\r)                                                    # 3 line break
  | (\#[^\n\r\ud800-\udfff]*)                                        # 4 comment
  | (-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)(?![._A-Za-z0-9])  # 5 number
  | ("(?!"")((?:[^"\\\x00-\x08\x0a-\x1f\ud800-\udfff]+|\\["\\/bfnrt]|\\u[0-9A-Fa-f]{4})*+)")  # 8
  | (.)                                                              # 10 anything else
  | \Z)""", re.VERBOSE | re.DOTALL)
_NAME, _PUNCTUATOR, _LINE_BREAK, _COMMENT, _NUMBER, _FRACTION, _EXPONENT, _STRING, _CONTENT = \
    range(1, 10)  # group 10, anything else, gives up
_ESCAPES = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|(.))")
_ESCAPED = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _unescape(match: re.Match) -> str:
    """The character an escape in a string stands for; a surrogate's half (which
    graphql-core pairs, or refuses) gives up."""
    if match.group(2) is not None:
        return _ESCAPED[match.group(2)]
    code = int(match.group(1), 16)
    if 0xD800 <= code <= 0xDFFF:
        raise GiveUp
    return chr(code)


_PUNCTUATORS = {"!": TokenKind.BANG, "$": TokenKind.DOLLAR, "&": TokenKind.AMP,
                "(": TokenKind.PAREN_L, ")": TokenKind.PAREN_R, "[": TokenKind.BRACKET_L,
                "]": TokenKind.BRACKET_R, "{": TokenKind.BRACE_L, "}": TokenKind.BRACE_R,
                ":": TokenKind.COLON, "=": TokenKind.EQUALS, "@": TokenKind.AT,
                "|": TokenKind.PIPE, "...": TokenKind.SPREAD}


def lex(text: str, max_tokens: int | None) -> tuple[list[Token], list[str], int]:
    """The significant tokens (an EOF token last), their kinds as short strings
    (a punctuator itself; "N", "I", "F", "S" for name, int, float, string; "E"),
    and how many tokens graphql-core counts (comments included, not EOF).

    Tokens are chained forward, comments included, as graphql-core's lexer chains
    them; not backward (api.documents drops those links anyway)."""
    sof = previous = Token(TokenKind.SOF, 0, 0, 0, 0)
    tokens: list[Token] = [sof]  # graphql-core starts at SOF, as the document's loc does
    kinds: list[str] = ["<SOF>"]
    count = 0
    limit = max_tokens if max_tokens is not None else len(text)
    line, line_start = 1, 0
    name_kind, append_token, append_kind = TokenKind.NAME, tokens.append, kinds.append
    for match in _TOKENS.finditer(text):
        group = match.lastindex
        if group == _LINE_BREAK:
            line += 1
            line_start = match.end()
            continue
        if group is None:  # nothing but ignored characters after it: the end
            break
        count += 1
        if count > limit:
            raise GiveUp  # over the token limit: graphql-core stops as early
        start, end = match.span(group)
        column = 1 + start - line_start
        if group == _NAME:
            token = Token(name_kind, start, end, line, column, match.group(group))
            kind = "N"
        elif group == _PUNCTUATOR:
            kind = match.group(group)
            token = Token(_PUNCTUATORS[kind], start, end, line, column)
        elif group == _NUMBER:
            floating = match.start(_FRACTION) >= 0 or match.start(_EXPONENT) >= 0
            token = Token(TokenKind.FLOAT if floating else TokenKind.INT, start, end, line,
                          column, match.group(group))
            kind = "F" if floating else "I"
        elif group == _STRING:
            value = match.group(_CONTENT)
            if "\\" in value:
                value = _ESCAPES.sub(_unescape, value)
            token = Token(TokenKind.STRING, start, end, line, column, value)
            kind = "S"
        elif group == _COMMENT:
            token = Token(TokenKind.COMMENT, start, end, line, column, text[start + 1:end])
            previous.next = previous = token
            continue
        else:
            raise GiveUp
        previous.next = previous = token
        append_token(token)
        append_kind(kind)
    end = len(text)
    eof = Token(TokenKind.EOF, end, end, line, 1 + end - line_start)
    previous.next = eof
    tokens.append(eof)
    kinds.append("E")
    return tokens, kinds, count
