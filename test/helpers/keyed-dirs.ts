/**
 * For e2e files that start several sandbox gateways (restarts, other time scales): one data dir
 * made before the tests, whose keys later gateways reuse (key generation is the slow part), and
 * everything started closed and every dir removed after the tests of the calling describe block.
 */
export interface DataDirTools {
  tempDataDir(): string;
  /** A new data dir holding the same keys as `from`. */
  cloneKeys(from: string): string;
  removeDir(dir: string): void;
}

export interface KeyedDirs {
  /** The first dir while nothing is started yet, a clone of its keys after that. */
  next(): string;
  /** Always a new dir with the first dir's keys. */
  clone(): string;
  /** Closed, in order, after the tests. */
  track(...closables: Array<{ close(): Promise<void> }>): void;
}

export function useKeyedDirs(tools: DataDirTools): KeyedDirs {
  let dataDir: string;
  const started: Array<{ close(): Promise<void> }> = [];
  const dirs: string[] = [];
  beforeAll(() => {
    dataDir = tools.tempDataDir();
  });
  afterAll(async () => {
    for (const s of started) await s.close();
    for (const d of [dataDir, ...dirs]) tools.removeDir(d);
  });
  const clone = () => {
    const dir = tools.cloneKeys(dataDir);
    dirs.push(dir);
    return dir;
  };
  return {
    next: () => (started.length === 0 ? dataDir : clone()),
    clone,
    track: (...closables) => void started.push(...closables),
  };
}
