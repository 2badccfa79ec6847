import * as cloud from 'wx-server-sdk';

let initialised = false;

/** Bind wx-server-sdk to the environment the function is deployed in, once per instance. */
export function initCloud(): typeof cloud {
  if (!initialised) {
    cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
    initialised = true;
  }
  return cloud;
}
