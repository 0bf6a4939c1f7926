import type { LoginThrottle } from './login-throttle';
import type { RevocationBus } from './revocations';
import type { TokenService } from './tokens';

/** What account services need beyond the request: token signing, the login throttle, and revocation fan-out. */
export interface AccessDeps {
  tokens: TokenService;
  loginThrottle: LoginThrottle;
  revocations: RevocationBus;
}

/** About the request itself: where it came from and, for a session token, which session it is. */
export interface RequestOrigin {
  clientAddress: string;
  sessionId?: string;
}
