import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One report folder per run; workers inherit it through the environment. */
export default function globalSetup(): void {
  process.env.RELIABILITY_REPORT_DIR = mkdtempSync(join(tmpdir(), 'reliability-report-'));
}
