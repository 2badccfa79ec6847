import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonFileState, nextWriteDelay } from '../../../sandbox/common/json-file-state';
import { waitFor } from '../../helpers/e2e-utils';

interface Data {
  items: number[];
}

describe('an emulator state file (sandbox/common/json-file-state.ts)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'json-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const open = (delayMs = 0) => new JsonFileState<Data>(join(dir, 'state.json'), () => ({ items: [] }), 'test state', delayMs);
  const onDisk = () => (JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as Data).items;

  it('writes changes in the background, never with a synchronous write on the event loop', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require('node:fs') as typeof import('node:fs');
    const syncWrite = jest.spyOn(fs, 'writeFileSync');
    try {
      const state = open();
      state.data.items.push(1);
      state.changed();
      await waitFor('the change on disk', async () => (readdirSync(dir).includes('state.json') && onDisk().length === 1 ? true : undefined));
      await state.idle();
      expect(syncWrite).not.toHaveBeenCalled();
    } finally {
      syncWrite.mockRestore();
    }
  });

  it('a change made while a write is in flight is written after it: the file ends with the latest data', async () => {
    const state = open();
    for (let i = 0; i < 50; i++) {
      state.data.items.push(i);
      state.changed();
      if (i % 7 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await waitFor('the last change on disk', async () => (readdirSync(dir).includes('state.json') && onDisk().length === 50 ? true : undefined));
    await state.idle();
    expect(onDisk()).toEqual([...Array(50).keys()]);
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('flush() during a background write leaves the newest data on disk (the older write does not replace it), and a restart reads it', async () => {
    const state = open();
    state.data.items.push(1);
    state.changed();
    // The background write of [1] starts on the next timer tick; change again and flush at once.
    await new Promise((r) => setTimeout(r, 1));
    state.data.items.push(2);
    state.changed();
    state.flush();
    expect(onDisk()).toEqual([1, 2]);
    await state.idle();
    expect(onDisk()).toEqual([1, 2]);
    expect(readdirSync(dir)).toEqual(['state.json']);
    expect(open().data.items).toEqual([1, 2]);
  });

  it('the pause before the next write grows with what the last one cost the event loop (a growing file is written less often), bounded', () => {
    expect(nextWriteDelay(0, 25)).toBe(25);
    expect(nextWriteDelay(0.2, 25)).toBe(25);
    expect(nextWriteDelay(0.5, 25)).toBe(50);
    expect(nextWriteDelay(5, 25)).toBe(500);
    expect(nextWriteDelay(8, 25)).toBe(800);
    expect(nextWriteDelay(40, 25)).toBe(2000);
  });

  it('nothing pending: flush() writes nothing', () => {
    const state = open();
    state.flush();
    expect(readdirSync(dir)).toEqual([]);
  });
});
