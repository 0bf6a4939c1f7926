import { readFile, rename, writeFile } from 'node:fs/promises';
import type { SyncedTicketFragment } from './__generated__/graphql';

/** A ticket as the local copy keeps it: the fields of src/operations.graphql's SyncedTicket. */
export type LocalTicket = Omit<SyncedTicketFragment, '__typename'>;

/** What the JSON file holds. */
interface StoreFile {
  tickets: Record<string, LocalTicket>;
  /** The latest `updatedAt` read from the API: the next poll asks for changes from a little before it. */
  watermark: string | null;
  /** Where an interrupted full pass resumes (`endCursor` of its last page); null once it finished. */
  fullPassCursor: string | null;
  fullPassDone: boolean;
}

/**
 * Whether `incoming` is a later state of the ticket than `held`. `version` grows with every change to
 * the ticket's own fields; a comment moves only `updatedAt`. So: the higher version, and on equal
 * versions the later `updatedAt`.
 */
export function isNewer(incoming: LocalTicket, held: LocalTicket | undefined): boolean {
  if (!held) return true;
  if (incoming.version !== held.version) return incoming.version > held.version;
  return Date.parse(incoming.updatedAt) > Date.parse(held.updatedAt);
}

/**
 * The local copy: tickets by id in a JSON file. Every write goes through `apply`, which keeps a
 * ticket only if it is newer than the one held (isNewer), so a replayed webhook, a poll that
 * overlaps the last one, or messages arriving out of order can never move a ticket back in time.
 */
export class TicketStore {
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly data: StoreFile,
  ) {}

  static async open(file: string): Promise<TicketStore> {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    const data: StoreFile = text ? (JSON.parse(text) as StoreFile) : { tickets: {}, watermark: null, fullPassCursor: null, fullPassDone: false };
    return new TicketStore(file, data);
  }

  /** Keeps `ticket` if it is newer than the copy held; answers whether it was. */
  apply(ticket: LocalTicket): boolean {
    if (!isNewer(ticket, this.data.tickets[ticket.id])) return false;
    this.data.tickets[ticket.id] = { id: ticket.id, number: ticket.number, title: ticket.title, status: ticket.status, priority: ticket.priority, version: ticket.version, updatedAt: ticket.updatedAt };
    return true;
  }

  /** Moves the watermark forward (never back) to an `updatedAt` read from the API. */
  advanceWatermark(updatedAt: string): void {
    if (this.data.watermark === null || Date.parse(updatedAt) > Date.parse(this.data.watermark)) this.data.watermark = updatedAt;
  }

  get watermark(): string | null {
    return this.data.watermark;
  }

  get fullPass(): { cursor: string | null; done: boolean } {
    return { cursor: this.data.fullPassCursor, done: this.data.fullPassDone };
  }

  setFullPass(cursor: string | null, done: boolean): void {
    this.data.fullPassCursor = cursor;
    this.data.fullPassDone = done;
  }

  get(id: string): LocalTicket | undefined {
    return this.data.tickets[id];
  }

  all(): LocalTicket[] {
    return Object.values(this.data.tickets).sort((a, b) => a.number - b.number);
  }

  /**
   * Writes the file: to a temporary name, then renamed over the old one, so a crash leaves the old
   * copy or the new one, never half of one. Saves run one after another.
   */
  save(): Promise<void> {
    const text = JSON.stringify(this.data, null, 2);
    this.saving = this.saving.then(async () => {
      await writeFile(`${this.file}.tmp`, text);
      await rename(`${this.file}.tmp`, this.file);
    });
    return this.saving;
  }
}
