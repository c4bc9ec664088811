// Apollo Client 4 against the content API, as an app would use it. Each
// scenario returns plain data that the tests (tests/dx/test_apollo_client.py)
// compare with what the API should give.
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { relayStylePagination } from "@apollo/client/utilities";

// What real apps send: an auth header, Apollo's client identification, and
// tracing headers (OpenTelemetry's W3C trace context, Sentry's).
export const APP_HEADERS = {
  authorization: "Bearer example-token",
  "apollographql-client-name": "content-web",
  "apollographql-client-version": "1.0.0",
  traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
  tracestate: "vendor=value",
  baggage: "userId=alice",
  "sentry-trace": "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
};

export function client(uri, headers = {}) {
  return new ApolloClient({
    link: new HttpLink({ uri, headers }),
    cache: new InMemoryCache({
      typePolicies: {
        Query: { fields: { articles: relayStylePagination(["filter", "orderBy"]) } },
      },
    }),
  });
}

// A validation error: what Apollo shows an app (message and code).
export async function validationError(uri) {
  try {
    await client(uri).query({ query: gql`{ articles { totalCount } nope }` });
    return { error: null };
  } catch (error) {
    return {
      error: error.name,
      message: error.message,
      codes: (error.errors || []).map((e) => e.extensions && e.extensions.code),
    };
  }
}

export const PAGE = gql`
  query Page($first: Int!, $after: String) {
    articles(first: $first, after: $after, orderBy: [DATE_DESC]) {
      edges { cursor node { slug date } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;

// Page forward the way an app does: watchQuery, then fetchMore with the end
// cursor; relayStylePagination merges the pages in the cache. `between` runs
// after the first page (the test loads new content then). Returns each page as
// fetched and the list the app would render from the cache at the end.
export async function paginate(uri, size, between) {
  const apollo = client(uri);
  const watched = apollo.watchQuery({ query: PAGE, variables: { first: size } });
  let subscription;
  const first = await new Promise((resolve, reject) => {
    subscription = watched.subscribe({
      next: (result) => { if (!result.loading) resolve(result); },
      error: reject,
    });
  });
  const slugs = (data) => data.articles.edges.map((e) => e.node.slug);
  const pages = [slugs(first.data)];
  await between();
  let pageInfo = first.data.articles.pageInfo;
  while (pageInfo.hasNextPage) {
    const { data } = await watched.fetchMore({ variables: { after: pageInfo.endCursor } });
    pages.push(slugs(data));
    pageInfo = data.articles.pageInfo;
  }
  const merged = slugs(apollo.readQuery({ query: PAGE, variables: { first: size } }));
  subscription.unsubscribe();
  apollo.stop();
  return { pages, merged };
}

// A query with every header a real app sends (cross-origin from a browser:
// the CORS preflight must allow them all).
export async function withAppHeaders(uri) {
  const { data } = await client(uri, APP_HEADERS).query({
    query: gql`{ articles(first: 2) { totalCount nodes { slug title } } }`,
  });
  return { totalCount: data.articles.totalCount,
           titles: data.articles.nodes.map((n) => n.title) };
}
