import { TokenService } from '../../src/modules/users/auth/tokens';

const SECRET = 'unit-test-secret-unit-test-secret-0123456789';
const SUBJECT = { kind: 'user' as const, id: '0a6f3b2e-0000-4000-8000-000000000001', sessionId: '0a6f3b2e-0000-4000-8000-000000000002' };

describe('TokenService.verify', () => {
  afterEach(() => jest.useRealTimers());

  it('answers the same subject for a token checked before, and refuses it once it has expired', async () => {
    jest.useFakeTimers({ now: new Date('2026-12-06T12:00:00Z'), doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const tokens = new TokenService(SECRET, 60);
    const token = await tokens.sign(SUBJECT);
    const first = await tokens.verify(token);
    expect(first).toEqual({ ...SUBJECT, expiresAt: new Date('2026-12-06T12:01:00Z').getTime() });
    expect(await tokens.verify(token)).toEqual(first);
    jest.setSystemTime(new Date('2026-12-06T12:01:00Z'));
    expect(await tokens.verify(token)).toBeNull();
    expect(await tokens.verify(token)).toBeNull();
  });

  it('refuses a token changed by one character, or signed with another secret, after the genuine one was checked', async () => {
    const tokens = new TokenService(SECRET, 60);
    const token = await tokens.sign(SUBJECT);
    expect(await tokens.verify(token)).not.toBeNull();
    // The signature's first character, not its last: the last one's low bits are base64url padding, which
    // decoders ignore, so changing them leaves the same signature bytes.
    const at = token.lastIndexOf('.') + 1;
    const changed = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);
    expect(await tokens.verify(changed)).toBeNull();
    expect(await tokens.verify(await new TokenService(`${SECRET}-other`, 60).sign(SUBJECT))).toBeNull();
  });
});
