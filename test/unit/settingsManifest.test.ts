// package.json's settings and the code that reads them must agree: same ids, same defaults.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { completionSettingIds, completionSettingsSchema } from '../../src/host/completions/completionSettings';
import { chatSettingIds, chatSettingsSchema } from '../../src/host/chat/chatSettings';
import { engineSettingIds, engineSettingsSchema } from '../../src/host/engine/engineSettings';
import { modelSettingIds, modelSettingsSchema } from '../../src/host/models/modelSettings';
import { privacySettingDefaults } from '../../src/host/privacy/privacySettings';

interface Manifest {
  contributes: { configuration: { properties: Record<string, { default?: unknown }> } };
}

const manifest = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as Manifest;
const contributed = manifest.contributes.configuration.properties;

function pairs<T extends z.ZodRawShape>(schema: z.ZodObject<T>, ids: Record<string, string>): Array<[string, unknown]> {
  const defaults: Record<string, unknown> = schema.parse({});
  return Object.entries(ids).map(([key, id]) => [id, defaults[key]]);
}

const read = [
  ...pairs(engineSettingsSchema, engineSettingIds),
  ...pairs(modelSettingsSchema, modelSettingIds),
  ...pairs(completionSettingsSchema, completionSettingIds),
  ...pairs(chatSettingsSchema, chatSettingIds),
  ...Object.entries(privacySettingDefaults),
];

describe('settings in package.json', () => {
  it('contributes exactly the settings the code reads', () => {
    assert.deepEqual(Object.keys(contributed).sort(), read.map(([id]) => id).sort());
  });

  it('uses the same defaults as the code', () => {
    for (const [id, value] of read) assert.deepEqual(contributed[id]?.default, value, id);
  });

  it('names every setting hearth.<group>.<name>', () => {
    for (const id of Object.keys(contributed)) assert.match(id, /^hearth\.[a-z]+\.[a-zA-Z.]+$/);
  });
});
