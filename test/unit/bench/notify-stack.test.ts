/**
 * The notify section's figure "payNotify" is `npm start`'s host: the bench must not run it in
 * instances `npm start` would not start (until session 22 it did, and the host-thread column was a
 * second run of the two-instance configuration).
 */
import { hostThreadStackOptions } from '../../../bench/notify';
import { notifyInstancesFromEnv } from '../../../sandbox/start';

describe('the notify bench measures the host npm start runs', () => {
  const saved = process.env.HOST_INSTANCES;
  afterEach(() => {
    if (saved === undefined) delete process.env.HOST_INSTANCES;
    else process.env.HOST_INSTANCES = saved;
  });

  it("runs payNotify with npm start's default instances (none: the host's own thread)", () => {
    expect(hostThreadStackOptions().instances).toEqual(notifyInstancesFromEnv({}));
    expect(notifyInstancesFromEnv({})).toBeUndefined();
  });

  it("whatever the bench's own environment says", () => {
    process.env.HOST_INSTANCES = '2';
    expect(hostThreadStackOptions().instances).toEqual(notifyInstancesFromEnv({}));
  });
});
