// GraphiQL 5 for /graphql, bundled from node_modules at build time (scripts/build-ide.mjs).
import './constructed-styles.js';
import './monaco-workers.js';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { parse } from 'graphql';
import 'graphiql/style.css';
import './page.css';
import React from 'react';
import { createRoot } from 'react-dom/client';

const endpoint = new URL('/graphql', location.href);
const subscriptionUrl = new URL(endpoint);
subscriptionUrl.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';

// HTTP for queries and mutations; subscriptions over graphql-ws on the same URL. For a subscription the
// toolkit opens a socket whose connection_init payload is the headers editor's content, so the
// `Authorization` typed there authenticates subscriptions as it does requests.
const toolkitFetcher = createGraphiQLFetcher({
  url: endpoint.href,
  subscriptionUrl: subscriptionUrl.href,
  enableIncrementalDelivery: false,
});

// GraphiQL hands the fetcher the document it parsed on the last edit, 100 ms after it (a debounce), and
// the toolkit picks the socket only when that document is a subscription. A subscription run right
// after it was typed or pasted would go over HTTP and fail. So the choice is made on the text being sent.
function fetcher(params, options) {
  let documentAST;
  try {
    documentAST = parse(params.query);
  } catch {
    return toolkitFetcher(params, options);
  }
  const names = documentAST.definitions.filter((node) => node.kind === 'OperationDefinition').map((node) => node.name?.value);
  // A name left over from the previous text is dropped when the text being sent holds one operation.
  const operationName = names.includes(params.operationName ?? undefined) || names.length !== 1 ? params.operationName : names[0];
  return toolkitFetcher({ ...params, operationName }, { ...options, documentAST });
}

// Empty is anonymous; "Bearer <token>" with a session token (mutation login) or an API key.
const defaultHeaders = JSON.stringify({ Authorization: '' }, null, 2);

createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, { fetcher, defaultHeaders, defaultEditorToolsVisibility: 'headers' }),
);
