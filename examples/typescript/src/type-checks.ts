// Compile-time proof that the generated types are precise, not `any`:
// each @ts-expect-error below must be a real type error, or `tsc --noEmit`
// fails with "Unused '@ts-expect-error' directive".  Never executed.
import type { ArticleListQuery, ArticlePageQuery, SearchQuery } from "./generated/graphql.js";

export function typeChecks(page: ArticlePageQuery, list: ArticleListQuery, search: SearchQuery): void {
  // @ts-expect-error an unknown slug gives null, so the article must be checked first
  void page.article.title;

  const article = page.article!;
  // @ts-expect-error `body` was not selected in ArticlePage, so it is not in the type
  void article.body;
  // @ts-expect-error pros is a list of strings, not a string
  const pros: string = article.trends[0].routes[0].pros;
  void pros;
  // Absent texts are null, and the types say so: a lead-in may be missing.
  // @ts-expect-error Advice.label is null when the item has no bold lead-in
  const label: string = article.trends[0].advice[0].label;
  void label;
  // Non-null lists and strings need no optional chaining:
  const firstRoute: string = article.trends[0].routes[0].name;
  void firstRoute;

  // @ts-expect-error totalCount is a number
  const total: string = list.articles.totalCount;
  void total;

  const hit = search.search.nodes[0];
  if (hit.node.__typename === "Route") {
    // The inline fragment narrows the union-like node type.
    const anchor: string = hit.node.trend.anchor;
    void anchor;
  }
  // @ts-expect-error `trend` only exists once narrowed to Route or Advice
  void hit.node.trend;
}
