import type { Figure } from './report';

/** What a bench section is: a name, and a run that prints its table and returns JSON-able results. */
export interface BenchSection<R = unknown> {
  name: string;
  description: string;
  /** `budgetMs` is this section's share of the whole bench's time. */
  run(budgetMs: number): Promise<R>;
  /** The figures in these results, with their targets (the summary table and the history). */
  figures?(results: R): Figure[];
}
