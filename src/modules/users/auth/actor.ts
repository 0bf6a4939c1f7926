import type { StaffRole } from '../user.enums';
import type { ApiScope } from './api-scope.enum';

/** Who is asking. Built once per request (or per WebSocket connection) by the context builder. */
export type Actor =
  | { kind: 'anonymous' }
  | { kind: 'user'; id: string; role: StaffRole; name: string; email: string }
  | { kind: 'contact'; id: string; businessId: string; name: string; email: string }
  | { kind: 'apiKey'; id: string; name: string; scopes: readonly ApiScope[] }
  /** Background jobs (auto-close, SLA breaches): their timeline entries have no actor. */
  | { kind: 'system' }
  /** Someone who wrote in (email) without being a known contact: a name and an address, no rights. */
  | { kind: 'sender'; name: string; email: string };

export const ANONYMOUS: Actor = { kind: 'anonymous' };
export const SYSTEM: Actor = { kind: 'system' };
