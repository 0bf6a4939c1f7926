import { GraphQLError, Lexer, Source, TokenKind } from 'graphql';
import { queryTooComplex } from './refusal';

/**
 * Tokens of a document as the parser counts them (comments are not tokens). Where the text stops
 * being GraphQL the count stops too: the parser, which runs next, says where and why.
 */
function countTokens(text: string): number {
  const lexer = new Lexer(new Source(text));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) count += 1;
  } catch (error) {
    if (!(error instanceof GraphQLError)) throw error;
  }
  return count;
}

/**
 * Refuses a document of more than `limit` tokens before it is parsed: the token count bounds the
 * work of parsing, validating and costing it. Counting is one pass of graphql-js's own lexer over a
 * body that express has already capped in size.
 */
export function tokensRefusal(text: string, limit: number, http?: { status: number }) {
  const count = countTokens(text);
  return count > limit ? queryTooComplex('tokens', limit, count, http) : undefined;
}
