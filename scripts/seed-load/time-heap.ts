import type { CopyWriter } from './copy-writer';

/** A min-heap of rows keyed by time: timeline entries and comments leave it in time order. */
export class TimeHeap {
  private keys: number[] = [];
  private rows: string[] = [];

  push(key: number, row: string): void {
    const { keys, rows } = this;
    let i = keys.length;
    keys.push(key);
    rows.push(row);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent] <= key) break;
      keys[i] = keys[parent];
      rows[i] = rows[parent];
      i = parent;
    }
    keys[i] = key;
    rows[i] = row;
  }

  /** Moves every row with key < `before` to `out`, in key order. */
  drain(before: number, out: CopyWriter): void {
    const { keys, rows } = this;
    while (keys.length > 0 && keys[0] < before) {
      out.push(rows[0]);
      const lastKey = keys.pop()!;
      const lastRow = rows.pop()!;
      const n = keys.length;
      if (n === 0) break;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && keys[right] < keys[left] ? right : left;
        if (keys[child] >= lastKey) break;
        keys[i] = keys[child];
        rows[i] = rows[child];
        i = child;
      }
      keys[i] = lastKey;
      rows[i] = lastRow;
    }
  }
}
