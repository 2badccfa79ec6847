/** What a bench section is: a name, and a run that prints its table and returns JSON-able results. */
export interface BenchSection {
  name: string;
  description: string;
  /** `budgetMs` is this section's share of the whole bench's time. */
  run(budgetMs: number): Promise<unknown>;
}
