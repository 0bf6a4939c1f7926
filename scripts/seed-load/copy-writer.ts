import type { Writable } from 'node:stream';
import type { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { connect } from './database';

/** COPY's text format: tab-separated columns, `\N` for null, backslash escapes inside values. */

export const NULL = '\\N';

export function esc(value: string): string {
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : value;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The simulation keeps unset instants as 0. */
export function ts(ms: number): string {
  return ms ? new Date(ms).toISOString() : NULL;
}

export function num(value: number | null): string {
  return value === null ? NULL : String(value);
}

export function str(value: string | null | undefined): string {
  return value === null || value === undefined ? NULL : esc(value);
}

/** One COPY … FROM STDIN on its own connection, fed in chunks with back-pressure. */
export class CopyWriter {
  rows = 0;
  private parts: string[] = [];
  private size = 0;

  private constructor(
    private readonly client: Client,
    private readonly stream: Writable,
  ) {}

  /** `freeze`: truncate and COPY … FREEZE in one transaction (rows frozen and all-visible at once). */
  static async open(database: string, table: string, columns: string[], freeze: boolean): Promise<CopyWriter> {
    const client = await connect(database);
    await client.query('begin');
    if (freeze) await client.query(`truncate ${table}`);
    const stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin${freeze ? ' with (freeze)' : ''}`));
    return new CopyWriter(client, stream);
  }

  push(row: string): void {
    this.parts.push(row);
    this.size += row.length;
    this.rows += 1;
  }

  /** Hands what is buffered to the stream once it is large enough (or always, with `force`). */
  async flush(force = false): Promise<void> {
    if (this.size === 0 || (!force && this.size < 1 << 20)) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await this.until('drain');
  }

  /** Resolves on `event`, rejects on a stream error, and leaves no listener behind. */
  private until(event: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        this.stream.off('error', failed);
        resolve();
      };
      const failed = (error: Error) => {
        this.stream.off(event, done);
        reject(error);
      };
      this.stream.once(event, done);
      this.stream.once('error', failed);
    });
  }

  async finish(): Promise<void> {
    await this.flush(true);
    const done = this.until('finish');
    this.stream.end();
    await done;
    await this.client.query('commit');
    await this.client.end();
  }
}
