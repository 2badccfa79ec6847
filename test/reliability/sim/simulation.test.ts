/**
 * The seeded simulation (simulation.ts), thousands of schedules per run. A failing seed is
 * printed with its schedule; `RELIABILITY_SIM_SEED=<seed> npx jest test/reliability/sim` replays
 * exactly that one.
 */
import { finish, Tally } from '../report';
import { SIZE } from '../size';
import { runSimulation } from './simulation';

jest.setTimeout(600_000);

const only = process.env.RELIABILITY_SIM_SEED;
const FIRST_SEED = 1;

it(`seeded simulation: ${only ? `seed ${only}` : `${SIZE.simulationSeeds} schedules of ${SIZE.simulationSteps} steps`}, money invariants after every step, everything settled at the end`, async () => {
  const tally = new Tally('simulation (schedules)');
  const seeds = only ? [Number(only)] : Array.from({ length: SIZE.simulationSeeds }, (_, i) => FIRST_SEED + i);
  const totals = { steps: 0, orders: 0, paid: 0, refunds: 0, closes: 0, notifications: 0 };
  for (const seed of seeds) {
    const r = await runSimulation(seed, SIZE.simulationSteps);
    totals.steps += r.steps;
    for (const k of ['orders', 'paid', 'refunds', 'closes', 'notifications'] as const) totals[k] += r.stats[k];
    // Every notification in the simulation is genuine: one refused would be retried by the gateway for a day.
    const problem = r.violations[0] ?? (r.refusedNotifications.length ? `a genuine notification refused: ${r.refusedNotifications[0]}` : undefined);
    if (problem) tally.unexpected(`seed ${seed} (replay: RELIABILITY_SIM_SEED=${seed}): ${problem} — schedule ${r.trace.join(' ')}`);
    else tally.accepted();
    for (const loss of r.losses) tally.lost(`seed ${seed} (replay: RELIABILITY_SIM_SEED=${seed}): ${loss}`);
  }
  process.stdout.write(`simulation: ${seeds.length} schedules, ${totals.steps} steps, ${totals.orders} orders, ${totals.paid} payments, ${totals.refunds} refund requests, ${totals.closes} closes, ${totals.notifications} deliveries\n`);
  finish(tally);
});
