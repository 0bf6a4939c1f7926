import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

/** A Ticketgraph error, with its stable `extensions.code` (BAD_USER_INPUT, RATE_LIMITED, …). */
export class TicketgraphError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Sends typed operations to one server with one API key. */
export interface TicketgraphClient {
  request<Result, Variables>(document: TypedDocumentNode<Result, Variables>, variables: Variables): Promise<Result>;
}

/**
 * A client over fetch: the typed documents from src/__generated__ give each call its variables and
 * result types, so a field the server no longer has fails `npm run codegen`, not production.
 */
export function createClient(url: string, apiKey: string): TicketgraphClient {
  return {
    async request(document, variables) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ query: print(document), variables }),
      });
      const body = (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
      if (body.errors?.length) throw new TicketgraphError(body.errors[0].message, body.errors[0].extensions?.code);
      if (!response.ok || !body.data) throw new TicketgraphError(`HTTP ${response.status} without data`, undefined);
      return body.data as never;
    },
  };
}
