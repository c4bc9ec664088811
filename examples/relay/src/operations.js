// The operations of a Relay app over the content API. relay-compiler reads the
// graphql tags here and writes src/__generated__/ (plus persisted-queries.json,
// the trusted-documents manifest); run.js uses those artifacts. This file is
// never executed: without Relay's Babel plugin the tags would throw.
import { graphql } from "relay-runtime";

// A page of the article list: a connection Relay manages (@connection), and a
// refetchable fragment, so Relay generates the pagination query itself.
export const ArticleList = graphql`
  fragment operations_ArticleList on Query
  @refetchable(queryName: "operationsArticleListPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 2 }, cursor: { type: "String" }) {
    articles(first: $count, after: $cursor, orderBy: [DATE_DESC])
    @connection(key: "operations_articles", filters: ["orderBy"]) {
      totalCount
      edges { node { id slug title date } }
    }
  }
`;

export const ListQuery = graphql`
  query operationsListQuery {
    ...operations_ArticleList
  }
`;

// An article, refetchable through Query.node: Relay's Node contract.
export const ArticleCard = graphql`
  fragment operations_ArticleCard on Article @refetchable(queryName: "operationsArticleCardRefetchQuery") {
    id
    title
    tags
    trends { id position title anchor routes { id name pros cons } }
  }
`;

export const ArticleQuery = graphql`
  query operationsArticleQuery($slug: String!) {
    article(slug: $slug) { id ...operations_ArticleCard }
  }
`;

// Search hits: a union of the concrete types Relay narrows by __typename.
export const SearchQuery = graphql`
  query operationsSearchQuery($query: String!) {
    search(query: $query, first: 10) {
      totalCount
      nodes {
        field
        node {
          __typename
          ... on Trend { id title }
          ... on KeyPoint { text trend { id } }
          ... on Route { id name }
          ... on Advice { id title }
          ... on Article { id title }
          ... on Section { id heading }
        }
      }
    }
  }
`;
