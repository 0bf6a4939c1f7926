import type { WebSocket } from 'ws';
import type { Revocation } from '../modules/users/auth/revocations';

/** 4403 Forbidden, as graphql-ws uses it: the client must not reconnect with the same credentials. */
export const FORBIDDEN = 4403;

/**
 * This instance's WebSocket connections by what they hold access through (their session, account,
 * API key and key secret). A revocation closes the matching ones with 4403, at once or at its `at`.
 */
export class AccessSockets {
  private readonly byPrincipal = new Map<string, Set<WebSocket>>();

  add(socket: WebSocket, principals: readonly string[]): void {
    for (const key of principals) {
      let sockets = this.byPrincipal.get(key);
      if (!sockets) this.byPrincipal.set(key, (sockets = new Set()));
      sockets.add(socket);
    }
    socket.once('close', () => {
      for (const key of principals) {
        const sockets = this.byPrincipal.get(key);
        sockets?.delete(socket);
        if (sockets?.size === 0) this.byPrincipal.delete(key);
      }
    });
  }

  revoke({ principals, at }: Revocation): void {
    const sockets = new Set(principals.flatMap((key) => [...(this.byPrincipal.get(key) ?? [])]));
    for (const socket of sockets) closeAt(socket, at ?? 0, 'Access revoked');
  }
}

/** Closes `socket` with 4403 at `at` (ms since the epoch; now when past), unless it closes first. */
export function closeAt(socket: WebSocket, at: number, reason: string): void {
  const delay = at - Date.now();
  if (delay <= 0) {
    socket.close(FORBIDDEN, reason);
    return;
  }
  // setTimeout holds at most 2^31-1 ms (24.8 days); longer delays are not needed (a token lasts 30 days at most, a grace 7).
  const timer = setTimeout(() => socket.close(FORBIDDEN, reason), Math.min(delay, 2 ** 31 - 1));
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
