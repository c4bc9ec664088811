// Runs the example operations against a live server and checks the typed
// results.  Usage: node dist/run.js [--trusted] http://127.0.0.1:8000/graphql [slug]
// --trusted sends only document hashes (for serve --trusted-documents).
// Prints a JSON summary on success; exits 1 with the reason on failure.
import { createClient } from "./client.js";
import {
  ArticleListDocument,
  ArticlePageDocument,
  SearchDocument,
  type ArticleListQuery,
  type ArticlePageQuery,
} from "./generated/graphql.js";

type Article = NonNullable<ArticlePageQuery["article"]>;

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${message}`);
}

async function listAllSlugs(execute: ReturnType<typeof createClient>): Promise<string[]> {
  const slugs: string[] = [];
  let after: string | null = null;
  let total = -1;
  // Page size 1 exercises cursors on even a one-article store; bounded loop.
  for (let page = 0; page < 1000; page++) {
    // Annotated because `after` feeds back into the next request's variables.
    const { articles }: ArticleListQuery = await execute(ArticleListDocument, { first: 1, after });
    total = articles.totalCount;
    for (const edge of articles.edges) slugs.push(edge.node.slug);
    if (!articles.pageInfo.hasNextPage) break;
    check(articles.pageInfo.endCursor, "a page with a next page has an endCursor");
    after = articles.pageInfo.endCursor;
  }
  check(slugs.length === total, `paged through ${slugs.length} of totalCount ${total}`);
  check(new Set(slugs).size === slugs.length, "no article appears on two pages");
  return slugs;
}

function checkArticle(article: Article): void {
  check(article.trends.length > 0, "the article has trends");
  article.trends.forEach((trend, index) => {
    check(trend.position === index + 1, `trend positions are 1..n (got ${trend.position})`);
    for (const route of trend.routes) {
      check(route.pros.every((text) => text.length > 0), `route ${route.name} has non-empty pros`);
      check(route.cons.every((text) => text.length > 0), `route ${route.name} has non-empty cons`);
    }
    trend.advice.forEach((advice, i) => check(advice.position === i + 1, "advice is numbered 1..n"));
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const trusted = args[0] === "--trusted";
  const [endpoint, wantedSlug, searchTerm = "芯片"] = trusted ? args.slice(1) : args;
  check(endpoint, "usage: node dist/run.js [--trusted] ENDPOINT [SLUG] [SEARCH]");
  const execute = createClient(endpoint, { trusted });

  const slugs = await listAllSlugs(execute);
  const slug = wantedSlug ?? slugs[0];
  check(slug && slugs.includes(slug), `article ${slug} is in the list`);

  const { article } = await execute(ArticlePageDocument, { slug });
  check(article, `article ${slug} exists`);
  checkArticle(article);

  const missing = await execute(ArticlePageDocument, { slug: "no-such-article-slug" });
  check(missing.article === null, "an unknown slug gives null");

  const { search } = await execute(SearchDocument, { query: searchTerm, first: 10 });
  check(search.totalCount > 0, `search for ${searchTerm} finds something`);
  check(search.nodes.every((hit) => hit.snippet.includes("<mark>")), "every snippet is highlighted");

  const summary = {
    slugs,
    title: article.title,
    date: article.date,
    trends: article.trends.map((trend) => ({
      title: trend.title,
      anchor: trend.anchor,
      keyPoints: trend.keyPoints.length,
      routes: trend.routes.map((route) => route.name),
      advice: trend.advice.map((advice) => advice.label),
    })),
    search: search.nodes.map((hit) => ({ type: hit.node.__typename, article: hit.article.slug, field: hit.field })),
  };
  console.log(JSON.stringify(summary));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
