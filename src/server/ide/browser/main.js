// GraphiQL 5 for /graphql, bundled from node_modules at build time (scripts/build-ide.mjs).
import './constructed-styles.js';
import './monaco-workers.js';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
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
const fetcher = createGraphiQLFetcher({
  url: endpoint.href,
  subscriptionUrl: subscriptionUrl.href,
  enableIncrementalDelivery: false,
});

// Empty is anonymous; "Bearer <token>" with a session token (mutation login) or an API key.
const defaultHeaders = JSON.stringify({ Authorization: '' }, null, 2);

createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, { fetcher, defaultHeaders, defaultEditorToolsVisibility: 'headers' }),
);
