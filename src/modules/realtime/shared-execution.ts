import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Context } from '../../context';
import { accessClassOf } from '../users/auth/access';

let documentCount = 0;
const documentIds = new WeakMap<DocumentNode, number>();

function documentId(document: DocumentNode): number {
  let id = documentIds.get(document);
  if (id === undefined) {
    id = ++documentCount;
    documentIds.set(document, id);
  }
  return id;
}

/**
 * Subscribers whose results are bound to be identical: the same document (parsed once per query text,
 * see server/documents.ts), operation and variables, read by actors of one access class.
 */
function shareKeyOf(args: ExecutionArgs): string {
  const ctx = args.contextValue as Context;
  return [accessClassOf(ctx.actor), documentId(args.document), args.operationName ?? '', JSON.stringify(args.variableValues ?? {})].join('\n');
}

/** Results per payload object (shared by every subscriber of an entry, see perEntry) and share key. */
const results = new WeakMap<object, Map<string, Promise<ExecutionResult>>>();

function resultFor(args: ExecutionArgs, shareKey: string, payload: unknown): Promise<ExecutionResult> {
  const execution = () => {
    (args.contextValue as Context).freshen();
    return Promise.resolve(execute({ ...args, rootValue: payload }));
  };
  if (typeof payload !== 'object' || payload === null) return execution();
  let byKey = results.get(payload);
  if (!byKey) results.set(payload, (byKey = new Map()));
  let result = byKey.get(shareKey);
  if (!result) byKey.set(shareKey, (result = execution()));
  return result;
}

/**
 * graphql-js's `subscribe`, except that the selection runs once per group of subscribers bound to get
 * the same result, not once per subscriber: with 5,000 agents on one board query, a status change
 * is executed once (in the context of whichever of them comes first), and every socket is sent the
 * same result. Who receives an entry at all is still decided per subscriber, by its feed.
 */
export async function subscribeShared(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in stream)) return stream as ExecutionResult;
  const source = stream[Symbol.asyncIterator]();
  const shareKey = shareKeyOf(args);
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    next: async () => {
      const next = await source.next();
      return next.done ? { value: undefined, done: true } : { value: await resultFor(args, shareKey, next.value), done: false };
    },
    return: async () => {
      await source.return?.();
      return { value: undefined, done: true };
    },
    throw: async (error: unknown) => {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
