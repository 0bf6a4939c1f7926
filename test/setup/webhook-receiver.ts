import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver got it: the raw body bytes and the headers, as a verifier needs them. */
export interface ReceivedWebhook {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** An HTTP status to answer with, or 'hang': read the request and never answer. */
export type Answer = number | 'hang';

/**
 * A real HTTP server receiving webhooks on 127.0.0.1. Each path answers from its own queue of
 * answers, then with its default (200 unless set), with the text "receiver says <status>".
 */
export interface WebhookReceiver {
  url(path: string): string;
  received: ReceivedWebhook[];
  /** The requests to `path`, in order. */
  at(path: string): ReceivedWebhook[];
  /** Answers the next requests to `path` with these, in order. */
  answerNext(path: string, ...answers: Answer[]): void;
  /** Answers every later request to `path` (after its queue) with this. */
  answerAlways(path: string, answer: Answer): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const queues = new Map<string, Answer[]>();
  const defaults = new Map<string, Answer>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]));
      received.push({ path, headers, body: Buffer.concat(chunks) });
      const answer = queues.get(path)?.shift() ?? defaults.get(path) ?? 200;
      if (answer === 'hang') return;
      response.writeHead(answer, { 'content-type': 'text/plain' }).end(`receiver says ${answer}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    at: (path) => received.filter((each) => each.path === path),
    answerNext: (path, ...answers) => queues.set(path, [...(queues.get(path) ?? []), ...answers]),
    answerAlways: (path, answer) => defaults.set(path, answer),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
