import { AppError } from '../../shared/errors';

/** The status of a refusal over HTTP. */
export const BAD_REQUEST = { status: 400 };

/** Which limit an operation went over; each has its own variable (see config.ts). */
export type LimitKind = 'depth' | 'aliases' | 'rootFields' | 'tokens' | 'introspection' | 'cost';

const MESSAGES: Record<LimitKind, (measured: number | null, limit: number) => string> = {
  depth: (measured, limit) => `The operation nests fields ${measured} deep; at most ${limit} are allowed.`,
  aliases: (measured, limit) => `The operation uses ${measured} aliases; at most ${limit} are allowed.`,
  rootFields: (measured, limit) => `The operation asks for ${measured} root fields; at most ${limit} are allowed.`,
  tokens: (measured, limit) => `The document has ${measured} tokens; at most ${limit} are allowed.`,
  introspection: (measured, limit) =>
    `The operation selects ${measured ?? 'too many'} introspection fields; at most ${limit} are allowed (the standard introspection query selects about 230).`,
  cost: (measured, limit) =>
    `The operation costs ${measured ?? 'too much to work out'}; at most ${limit} is allowed (a connection costs its selection times \`first\`).`,
};

/**
 * QUERY_TOO_COMPLEX with the limit and what was measured, so a client sees how far over it is
 * (`measured` is null only for a cost or an introspection count too large to work out).
 * `http` is for the HTTP transport only (Apollo reads it and leaves it out of the answer).
 */
export function queryTooComplex(kind: LimitKind, limit: number, measured: number | null, http?: { status: number }): AppError {
  return new AppError('QUERY_TOO_COMPLEX', MESSAGES[kind](measured, limit), { kind, limit, measured, ...(http ? { http } : {}) });
}
