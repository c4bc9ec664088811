"""Arguments of the list fields: filters, orderings, search kinds."""

from __future__ import annotations

import datetime
from enum import Enum
from typing import Optional

import strawberry


@strawberry.input(description="Which articles to include. Conditions combine with AND.")
class ArticleFilter:
    tags: Optional[list[str]] = strawberry.field(
        default=None, description="Articles having any of these tags.")
    date_from: Optional[datetime.date] = strawberry.field(
        default=None, description="Articles dated on or after this day.")
    date_to: Optional[datetime.date] = strawberry.field(
        default=None, description="Articles dated on or before this day.")
    year: Optional[int] = strawberry.field(default=None, description="Articles of this year.")
    query: Optional[str] = strawberry.field(
        default=None, description="Articles whose text contains these words (literal, full text).")


@strawberry.enum(description="Sort order of articles.")
class ArticleOrder(Enum):
    DATE_DESC = strawberry.enum_value("DATE_DESC", description="Newest first (the default).")
    DATE_ASC = strawberry.enum_value("DATE_ASC", description="Oldest first.")
    TITLE_ASC = strawberry.enum_value("TITLE_ASC", description="By title, A to Z.")
    TITLE_DESC = strawberry.enum_value("TITLE_DESC", description="By title, Z to A.")


@strawberry.input(description="Which trends to include. Conditions combine with AND.")
class TrendFilter:
    query: Optional[str] = strawberry.field(
        default=None, description="Trends whose title, status or key points contain these words.")
    article: Optional[ArticleFilter] = strawberry.field(
        default=None, description="Only trends of the articles this filter selects.")


@strawberry.input(description="Which routes to include. Conditions combine with AND.")
class RouteFilter:
    query: Optional[str] = strawberry.field(
        default=None, description="Routes whose name, text, pros or cons contain these words.")
    pros: Optional[str] = strawberry.field(
        default=None, description="Routes whose pros contain these words.")
    cons: Optional[str] = strawberry.field(
        default=None, description="Routes whose cons contain these words (e.g. 成本).")
    article: Optional[ArticleFilter] = strawberry.field(
        default=None, description="Only routes of the articles this filter selects.")


@strawberry.input(description="Which advice to include. Conditions combine with AND.")
class AdviceFilter:
    query: Optional[str] = strawberry.field(
        default=None, description="Advice whose title or text contains these words.")
    article: Optional[ArticleFilter] = strawberry.field(
        default=None, description="Only advice of the articles this filter selects.")


@strawberry.enum(description="The kinds of object a search hit can be.")
class SearchKind(Enum):
    ARTICLE = strawberry.enum_value("ARTICLE", description="An article's title, description, intro or summary.")
    TREND = strawberry.enum_value("TREND", description="A trend's title, intro or the text around its parts.")
    KEY_POINT = strawberry.enum_value("KEY_POINT", description="A key point of a trend's status.")
    ROUTE = strawberry.enum_value("ROUTE", description="A route's name, text, pros or cons.")
    ADVICE = strawberry.enum_value("ADVICE", description="A piece of advice.")
    SECTION = strawberry.enum_value("SECTION", description="An extra section kept verbatim.")


@strawberry.enum(description="The field of a search hit's object that matched.")
class SearchField(Enum):
    TITLE = strawberry.enum_value("title", description="Article, Trend: title; Advice: its label.")
    DESCRIPTION = strawberry.enum_value("description", description="Article: description.")
    INTRO = strawberry.enum_value("intro", description="Article, Trend, Route: intro.")
    SUMMARY = strawberry.enum_value("summary", description="Article: summary.")
    STATUS_INTRO = strawberry.enum_value("statusIntro", description="Trend: statusIntro.")
    STATUS_OUTRO = strawberry.enum_value("statusOutro", description="Trend: statusOutro.")
    ROUTES_INTRO = strawberry.enum_value("routesIntro", description="Trend: routesIntro.")
    ADVICE_INTRO = strawberry.enum_value("adviceIntro", description="Trend: adviceIntro.")
    ADVICE_OUTRO = strawberry.enum_value("adviceOutro", description="Trend: adviceOutro.")
    TEXT = strawberry.enum_value("text", description="KeyPoint, Advice: label or title and text.")
    NAME = strawberry.enum_value("name", description="Route: name.")
    PROS = strawberry.enum_value("pros", description="Route: a pro (its label and text).")
    CONS = strawberry.enum_value("cons", description="Route: a con (its label and text).")
    HEADING = strawberry.enum_value("heading", description="Section: heading.")
    BODY = strawberry.enum_value("body", description="Section: body.")


@strawberry.input(description="What a search is narrowed to. Conditions combine with AND.")
class SearchFilter:
    kinds: Optional[list[SearchKind]] = strawberry.field(
        default=None, description="Only hits of these kinds.")
    tags: Optional[list[str]] = strawberry.field(
        default=None, description="Only hits in articles having any of these tags (ignoring "
                                  "case, width and Chinese script).")
    date_from: Optional[datetime.date] = strawberry.field(
        default=None, description="Only hits in articles dated on or after this day.")
    date_to: Optional[datetime.date] = strawberry.field(
        default=None, description="Only hits in articles dated on or before this day.")
    article: Optional[str] = strawberry.field(
        default=None, description="Only hits in the article with this slug.")
