import { statementBeforeDeadline } from '../../src/db/deadline-guard';
import { runWithDeadline } from '../../src/shared/deadline';

/** The request deadline where work starts: every statement goes through the ORM's onQuery hook (db/deadline-guard.ts). */
describe('a statement and the request deadline', () => {
  it('starts outside an HTTP request (no deadline) and before the deadline', () => {
    expect(statementBeforeDeadline('select 1')).toBe('select 1');
    expect(runWithDeadline(Date.now() + 60_000, () => statementBeforeDeadline('select 1'))).toBe('select 1');
  });

  it('does not start once the deadline has passed: TIMEOUT', () => {
    let refusal: unknown;
    try {
      runWithDeadline(Date.now() - 1, () => statementBeforeDeadline('select 1'));
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toMatchObject({ extensions: { code: 'TIMEOUT' } });
  });
});
