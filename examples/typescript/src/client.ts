// A minimal typed GraphQL client: the document's TypedDocumentNode carries the
// result and variables types, so callers get checked data without casts.
//
// Two modes. Open: POST the document's text. Trusted: GET with only the
// document's hash (`documentId`, from the client preset's __meta__), the way a
// production app talks to `content-api serve --trusted-documents`: short URLs
// that HTTP caches can keep, and no query text the server has not vetted.
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

type WithHash = { __meta__?: { hash?: string } };

function request(endpoint: string, document: TypedDocumentNode<any, any>, variables: unknown,
                 trusted: boolean): Promise<Response> {
  const headers = { accept: "application/graphql-response+json, application/json" };
  const signal = AbortSignal.timeout(10_000);
  if (!trusted) {
    return fetch(endpoint, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ query: print(document), variables }),
      signal,
    });
  }
  const hash = (document as WithHash).__meta__?.hash;
  if (!hash) throw new Error("the document has no hash: generate with persistedDocuments on");
  const url = new URL(endpoint);
  url.searchParams.set("documentId", hash);
  url.searchParams.set("variables", JSON.stringify(variables));
  return fetch(url, { headers, signal });
}

export function createClient(endpoint: string, options: { trusted?: boolean } = {}) {
  return async function execute<TResult, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
  ): Promise<TResult> {
    const response = await request(endpoint, document, variables, options.trusted ?? false);
    const payload = (await response.json()) as { data?: TResult; errors?: GraphQLErrorPayload[] };
    if (payload.errors?.length) throw new GraphQLRequestError(payload.errors);
    if (!response.ok || payload.data === undefined) {
      throw new Error(`HTTP ${response.status} without data`);
    }
    return payload.data;
  };
}
