// The integration tests reach Hearth's internals through the test-only export, which an installed
// (production) extension does not have.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { TEST_HOOKS, type HearthExports, type HearthTestHooks } from '../../../src/host/hearthApi';

export type { HearthTestHooks } from '../../../src/host/hearthApi';

export function hearthExtension(): vscode.Extension<HearthExports> {
  const extension = vscode.extensions.getExtension<HearthExports>('hearth.hearth');
  assert.ok(extension, 'hearth.hearth is not loaded');
  return extension;
}

export async function hearthHooks(): Promise<HearthTestHooks> {
  const exports = await hearthExtension().activate();
  const hooks = exports[TEST_HOOKS];
  assert.ok(hooks, 'Hearth runs without its test hooks (it should, in development mode)');
  return hooks;
}
