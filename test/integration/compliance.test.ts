import { serverAudits } from 'graphql-http';
import { startTestApp, type TestApp } from '../setup/test-app';

let app: TestApp;
beforeAll(async () => {
  process.env.NODE_ENV = 'production';
  app = await startTestApp();
});
afterAll(() => app.stop());

it('probe', async () => {
  const results = [];
  for (const audit of serverAudits({ url: () => app.url })) {
    const r = await audit.fn();
    results.push(r);
  }
  const notOk = results.filter((r) => r.status !== 'ok');
  for (const r of notOk) console.log(r.status, r.name, 'reason' in r ? r.reason : '', 'response' in r ? JSON.stringify(r.response).slice(0,0) : '');
});
