// A minimal typed GraphQL client: the document's TypedDocumentNode carries the
// result and variables types, so callers get checked data without casts.
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";

export interface GraphQLErrorPayload {
  message: string;
  extensions?: { code?: string };
}

export class GraphQLRequestError extends Error {
  constructor(readonly errors: GraphQLErrorPayload[]) {
    super(errors.map((e) => `${e.extensions?.code ?? "ERROR"}: ${e.message}`).join("; "));
  }
}

export function createClient(endpoint: string) {
  return async function execute<TResult, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
  ): Promise<TResult> {
    const response = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ query: print(document), variables }),
      signal: AbortSignal.timeout(10_000),
    });
    const payload = (await response.json()) as { data?: TResult; errors?: GraphQLErrorPayload[] };
    if (payload.errors?.length) throw new GraphQLRequestError(payload.errors);
    if (!response.ok || payload.data === undefined) {
      throw new Error(`HTTP ${response.status} without data`);
    }
    return payload.data;
  };
}
