// node src/run.js URL SLUG SEARCH: relay-runtime against a server started with
// --trusted-documents persisted-queries.json. Every request carries only the
// persisted id (`doc_id`), never query text. Prints one JSON line of what
// Relay's store gave back; tests/dx/test_relay.py checks it.
const {
  Environment, Network, RecordSource, Store, fetchQuery, getSelector,
} = require("relay-runtime");

const ListQuery = require("./__generated__/operationsListQuery.graphql");
const PaginationQuery = require("./__generated__/operationsArticleListPaginationQuery.graphql");
const ArticleList = require("./__generated__/operations_ArticleList.graphql");
const ArticleQuery = require("./__generated__/operationsArticleQuery.graphql");
const ArticleCard = require("./__generated__/operations_ArticleCard.graphql");
const RefetchQuery = require("./__generated__/operationsArticleCardRefetchQuery.graphql");
const SearchQuery = require("./__generated__/operationsSearchQuery.graphql");

const [url, slug, term] = process.argv.slice(2);
const sent = [];

const network = Network.create(async (params, variables) => {
  if (!params.id) throw new Error(`${params.name} was not persisted`);
  sent.push(params.name);
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json",
               accept: "application/graphql-response+json, application/json" },
    body: JSON.stringify({ doc_id: params.id, variables }),
    signal: AbortSignal.timeout(10_000),
  });
  const payload = await response.json();
  if (payload.errors) throw new Error(JSON.stringify(payload.errors));
  return payload;
});
const environment = new Environment({ network, store: new Store(new RecordSource()) });

const fetch1 = (query, variables) => fetchQuery(environment, query, variables).toPromise();
const read = (fragment, ref) => environment.lookup(getSelector(fragment, ref)).data;

async function paginate() {
  // Relay's ConnectionHandler merges each page into the one connection record.
  const root = await fetch1(ListQuery, {});
  let list = read(ArticleList, root);
  const pages = [list.articles.edges.length];
  for (let i = 0; list.articles.pageInfo.hasNextPage && i < 100; i++) {
    const more = await fetch1(PaginationQuery, { count: 2, cursor: list.articles.pageInfo.endCursor });
    list = read(ArticleList, more);
    pages.push(list.articles.edges.length);
  }
  return { totalCount: list.articles.totalCount, pages,
           slugs: list.articles.edges.map((edge) => edge.node.slug) };
}

async function article() {
  const data = await fetch1(ArticleQuery, { slug });
  const card = read(ArticleCard, data.article);
  // Refetch through Query.node(id:): the Node contract Relay relies on.
  const again = await fetch1(RefetchQuery, { id: data.article.id });
  const refetched = read(ArticleCard, again.node);
  return { id: data.article.id, title: card.title, trends: card.trends.length,
           routes: card.trends[0].routes.map((route) => route.name),
           refetchedTitle: refetched.title,
           stored: environment.getStore().getSource().get(data.article.id) !== undefined };
}

async function search() {
  const data = await fetch1(SearchQuery, { query: term });
  return { totalCount: data.search.totalCount,
           hits: data.search.nodes.map((hit) => ({ field: hit.field, type: hit.node.__typename })) };
}

(async () => {
  const result = { list: await paginate(), article: await article(), search: await search() };
  result.requests = sent.length;
  console.log(JSON.stringify(result));
})().catch((error) => { console.error(error.message || error); process.exit(1); });
