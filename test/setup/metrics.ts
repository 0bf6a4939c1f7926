import type { TestApp } from './test-app';

/** The Prometheus text of `app`'s /metrics, read with its METRICS_TOKEN. */
export async function scrapeMetrics(app: TestApp, token: string): Promise<{ status: number; contentType: string | null; text: string }> {
  const response = await fetch(app.url.replace(/\/graphql$/, '/metrics'), { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

/** The value of one sample (name and exact label set as Prometheus writes them); 0 when absent. */
export function sample(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}
