import { UniqueConstraintViolationException } from '@mikro-orm/core';

/**
 * Runs `work` again when it lost a race on a unique index (another request inserted the same key
 * first). The second run sees the winner's row and takes the path for an existing one.
 */
export async function retryOnUniqueViolation<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException) || attempt >= attempts) throw error;
    }
  }
}
