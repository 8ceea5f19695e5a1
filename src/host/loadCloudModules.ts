// Loads dist/cloud.js (see cloudModules.ts) the first time a request escalates to a cloud.
import * as path from 'node:path';

export type CloudModules = typeof import('./cloudModules');

let modules: CloudModules | undefined;

export function loadCloudModules(): CloudModules {
  // A computed path: esbuild leaves it to Node, so the modules stay out of dist/extension.js.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  modules ??= require(path.join(__dirname, 'cloud.js')) as CloudModules;
  return modules;
}
