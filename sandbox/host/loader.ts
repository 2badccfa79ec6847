import Module from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, resolve, sep } from 'node:path';

/**
 * Loads built cloud-function bundles in-process the way Node would, with one difference: inside
 * the dist folders registered here, `require('wx-server-sdk')` answers the host's local SDK.
 * The bundles are compiled with Node's own module system (not the caller's, e.g. jest's), and
 * freshly on every load so two hosts in one process never share function state.
 */

interface InternalModule {
  id: string;
  filename: string;
  paths: string[];
  loaded: boolean;
  exports: unknown;
  _compile(code: string, filename: string): void;
}
interface ModuleInternals {
  _resolveFilename(request: string, parent: InternalModule | undefined, isMain: boolean, options?: unknown): string;
  _cache: Record<string, InternalModule | undefined>;
  _nodeModulePaths(dir: string): string[];
}

type ModuleClass = ModuleInternals & (new (id: string) => InternalModule);

/**
 * Node's own Module class. Under jest, `require('node:module')` is a subclass whose statics are
 * copies, so patching its `_resolveFilename` would not reach the require of a loaded bundle.
 */
function nodeModuleClass(): ModuleClass {
  let cls = Module as unknown as ModuleClass;
  for (;;) {
    const parent = Object.getPrototypeOf(cls) as Partial<ModuleInternals> | null;
    if (!parent || parent === Function.prototype || typeof parent._resolveFilename !== 'function') return cls;
    cls = parent as ModuleClass;
  }
}

const internals = nodeModuleClass();
/** Not a real file: a key in Node's module cache holding the local SDK. */
const LOCAL_SDK_ID = resolve('/__function-host__/wx-server-sdk-local.js');
const scopedRoots = new Set<string>();
let hookInstalled = false;

/** Make `require('wx-server-sdk')` from any file under `root` return `sdk`. */
export function provideLocalSdk(root: string, sdk: object): void {
  scopedRoots.add(resolve(root) + sep);
  const cached = new internals(LOCAL_SDK_ID);
  cached.filename = LOCAL_SDK_ID;
  cached.exports = sdk;
  cached.loaded = true;
  internals._cache[LOCAL_SDK_ID] = cached;
  if (hookInstalled) return;
  hookInstalled = true;
  const original = internals._resolveFilename;
  internals._resolveFilename = function (request, parent, isMain, options) {
    if (request === 'wx-server-sdk' && parent?.filename && [...scopedRoots].some((r) => parent.filename.startsWith(r))) {
      return LOCAL_SDK_ID;
    }
    return original.call(this, request, parent, isMain, options);
  };
}

/**
 * `source` compiled as a CommonJS module of Node's main realm named `filename` (not cached), its
 * `require` resolving from `fromDir`; its exports.
 */
function compileInMainRealm(source: string, filename: string, fromDir = dirname(filename)): unknown {
  const mod = new internals(filename);
  mod.filename = filename;
  mod.paths = internals._nodeModulePaths(fromDir);
  mod._compile(source, filename);
  mod.loaded = true;
  return mod.exports;
}

/** Compile a CommonJS file with Node's module system, bypassing (and not filling) the cache. */
export function loadFresh(file: string): unknown {
  const filename = resolve(file);
  return compileInMainRealm(readFileSync(filename, 'utf8'), filename);
}

/**
 * Node's own `process` (bundles run in Node's main realm; a test runner may give the caller a
 * copy whose `env` the bundles would never see).
 */
export function nodeProcess(): NodeJS.Process {
  return nodeGlobals().process;
}

/**
 * `require(id)` as Node's main realm does it, resolved from this folder: for modules that refuse a
 * test environment's realm (esbuild checks `Buffer.from('') instanceof Uint8Array`, false under jsdom).
 */
export function requireInMainRealm(id: string): unknown {
  return compileInMainRealm(`module.exports = require(${JSON.stringify(id)});`, resolve(__dirname, '__main-realm-require__.js'));
}

/** The global object of Node's main realm, where the bundles run. */
export function mainRealm(): typeof globalThis {
  return compileInMainRealm('module.exports = globalThis;', LOCAL_SDK_ID + '.realm', __dirname) as typeof globalThis;
}

/** Globals of Node's main realm (e.g. `fetch`, which a jsdom test environment lacks). */
export function nodeGlobals(): {
  process: NodeJS.Process;
  fetch: typeof fetch;
  Headers: typeof Headers;
  Request: typeof Request;
  Response: typeof Response;
  setImmediate: typeof setImmediate;
  clearImmediate: typeof clearImmediate;
} {
  const source = 'module.exports = { process, fetch, Headers, Request, Response, setImmediate, clearImmediate };';
  return compileInMainRealm(source, LOCAL_SDK_ID + '.globals', __dirname) as ReturnType<typeof nodeGlobals>;
}
