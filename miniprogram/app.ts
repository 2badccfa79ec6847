import { env } from './services/env';

App({
  onLaunch() {
    // Cloud builds call functions through wx.cloud; local builds talk HTTP to the function host.
    if (env.transport === 'cloud') {
      wx.cloud.init({ env: env.cloudEnv || undefined, traceUser: true });
    }
  },
});
