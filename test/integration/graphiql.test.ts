import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { AddCommentDocument } from '../__generated__/graphql';
import { IDE_CSP } from '../../src/server/ide/graphiql';
import * as make from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * GraphiQL in a real browser: Debian's chromium (apt install chromium) driven by playwright-core, with
 * every request to another host aborted, so a page that needed a CDN would not work. The page runs a
 * query with a token typed into its headers editor and receives a subscription event over graphql-ws.
 */

const CHROMIUM = '/usr/bin/chromium';

let app: TestApp;
let browser: Browser;
let agent: make.Staff;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); these tests never download a browser.`);
  // The bundle is made by `npm run build`; this makes it when it is missing or older than its sources.
  execFileSync(process.execPath, [path.resolve(__dirname, '../../scripts/build-ide.mjs')], { stdio: 'inherit' });
  app = await startTestApp();
  agent = await make.staffUser(app, undefined, 'Grace Hopper');
  // --no-sandbox: tests run as root, where chromium's sandbox refuses to start.
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

interface Opened {
  page: Page;
  /** Requests to any other host, aborted. */
  foreign: string[];
  /** Script errors the page reported. */
  problems: string[];
  /** What the page's CSP refused, by directive. */
  violations(): Promise<string[]>;
}

async function openIde(): Promise<Opened> {
  const page = await browser.newPage();
  const origin = new URL(app.url).origin;
  const foreign: string[] = [];
  const problems: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // Scripts for the page are text: this project's types know Node, not the DOM.
  await page.addInitScript(`window.violations = [];
    document.addEventListener('securitypolicyviolation', (event) => window.violations.push(event.effectiveDirective));`);
  await page.goto(app.url);
  await page.locator('.graphiql-container').waitFor();
  const violations = () => page.evaluate<string[]>('window.violations');
  return { page, foreign, problems, violations };
}

/** Replaces the text of a Monaco editor (by its model's file name). insertText types no keys, so the editor's auto-closing adds nothing. */
async function setEditor(page: Page, file: 'operation.graphql' | 'request-headers.json', text: string): Promise<void> {
  await page.locator(`.monaco-editor[data-uri$="-${file}"]`).click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

async function run(page: Page): Promise<void> {
  await page.locator('.graphiql-execute-button').click();
}

const response = (page: Page) => page.locator('.result-window');
/** The response editor's text; Monaco renders spaces as no-break spaces. */
const responseText = async (page: Page) => ((await response(page).textContent()) ?? '').replace(/\u00a0/g, ' ');
/** Waits until the element shows `text` (playwright's own waiting; fails after its timeout). */
const shows = (page: Page, selector: string, text: string) => page.locator(selector, { hasText: text }).first().waitFor({ timeout: 15_000 });

it('serves the page with a self-only CSP to a browser, and JSON to everything else', async () => {
  const page = await fetch(app.url, { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.headers.get('content-security-policy')).toBe(IDE_CSP);
  const html = await page.text();
  expect(html).not.toMatch(/https?:\/\//);
  expect(html).not.toMatch(/<script>|<style/);

  const script = await fetch(new URL('/ide/graphiql.js', app.url));
  expect(script.status).toBe(200);
  expect(script.headers.get('content-type')).toMatch(/javascript/);

  // A GraphQL GET, and a client that asks for JSON, are not given the page.
  const query = await fetch(`${app.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'text/html,application/json;q=0.9', 'apollo-require-preflight': 'true' } });
  expect(await query.json()).toMatchObject({ data: { __typename: 'Query' } });
  const json = await fetch(app.url, { headers: { accept: 'application/json' } });
  expect(json.headers.get('content-type')).toMatch(/json/);
});

it('loads from this server alone, runs a query with the token of its headers editor, and shows a subscription event', async () => {
  const { page, foreign, problems, violations } = await openIde();
  try {
    await setEditor(page, 'request-headers.json', JSON.stringify({ Authorization: `Bearer ${agent.token}` }));
    await setEditor(page, 'operation.graphql', '{ me { name role } }');
    await run(page);
    await shows(page, '.result-window', 'Grace Hopper');
    expect(await responseText(page)).toContain('AGENT');
    // Syntax colours, which Monaco writes into <style> elements the CSP refuses, are applied all the same.
    const colours = await page.evaluate<number>(
      `new Set([...document.querySelectorAll('.monaco-editor[data-uri$="-operation.graphql"] .view-line span span')].map((token) => getComputedStyle(token).color)).size`,
    );
    expect(colours).toBeGreaterThan(1);

    // The schema explorer, fed by introspection.
    await page.getByRole('button', { name: /documentation explorer/i }).click();
    await shows(page, '.graphiql-doc-explorer', 'Subscription');

    const ticket = await make.ticket(app, { business: await make.business(app) });
    await setEditor(page, 'operation.graphql', `subscription { commentAdded(ticketId: "${ticket.globalId}") { body } }`);
    await run(page);
    // The subscription registers asynchronously: comment until one arrives (each comment is a new body).
    let shown = '';
    for (let attempt = 0; attempt < 40 && !shown.includes('comment from the API'); attempt += 1) {
      const added = await app.gql(AddCommentDocument, { input: { ticketId: ticket.globalId, body: `comment from the API ${attempt}` } }, agent.token);
      expect(added.errors).toBeUndefined();
      await page.waitForTimeout(250);
      shown = await responseText(page);
    }
    expect(shown).toMatch(/comment from the API \d+/);

    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
    // Monaco's inline styles are refused (its <style> elements are mirrored into constructed
    // stylesheets, see constructed-styles.js); no script, connection, worker, font or image is.
    expect(new Set(await violations())).toEqual(new Set(['style-src-elem', 'style-src-attr']));
  } finally {
    await page.close();
  }
});

it('is off with GRAPHIQL=false: a browser gets the JSON answer of before', async () => {
  const off = await startTestApp({ GRAPHIQL: 'false' });
  try {
    const page = await fetch(off.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(400);
    expect(page.headers.get('content-type')).toMatch(/json/);
    expect(page.headers.get('content-security-policy')).toBeNull();
    expect(((await page.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('BAD_REQUEST');
    expect((await fetch(new URL('/ide/graphiql.js', off.url))).status).toBe(404);
  } finally {
    await off.stop();
  }
});
