// API keys for cloud endpoints live only in VS Code's SecretStorage (the OS keychain), keyed by
// endpoint id: never in settings, logs or the ledger.
import * as vscode from 'vscode';
import type { Endpoint } from '../../common/policy/privacyPolicy';

const keyName = (endpointId: string) => `hearth.cloud.apiKey.${endpointId}`;

export class ApiKeys {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(endpoint: Pick<Endpoint, 'id'>): Promise<string> {
    return (await this.secrets.get(keyName(endpoint.id))) ?? '';
  }

  set(endpointId: string, key: string): Thenable<void> {
    return this.secrets.store(keyName(endpointId), key);
  }

  clear(endpointId: string): Thenable<void> {
    return this.secrets.delete(keyName(endpointId));
  }
}

/** `hearth.cloud.setApiKey`: pick an endpoint, type the key (hidden). Arguments skip the UI (tests, scripts). */
export async function setApiKeyCommand(keys: ApiKeys, endpoints: readonly Endpoint[], endpointId?: unknown, key?: unknown): Promise<boolean> {
  const id = typeof endpointId === 'string' ? endpointId : await pickEndpoint(endpoints, 'Set the API key for which endpoint?');
  if (id === undefined) return false;
  const value =
    typeof key === 'string'
      ? key
      : await vscode.window.showInputBox({
          title: `API key for ${id}`,
          prompt: 'Stored in VS Code\'s secret storage (your OS keychain); never in settings or logs.',
          password: true,
          ignoreFocusOut: true,
          validateInput: (text) => (text.trim().length === 0 ? 'Enter a key, or press Escape.' : undefined),
        });
  if (value === undefined) return false;
  await keys.set(id, value.trim());
  if (typeof key !== 'string') void vscode.window.showInformationMessage(`Hearth: the API key for ${id} is stored.`);
  return true;
}

/** `hearth.cloud.clearApiKey`. */
export async function clearApiKeyCommand(keys: ApiKeys, endpoints: readonly Endpoint[], endpointId?: unknown): Promise<boolean> {
  const id = typeof endpointId === 'string' ? endpointId : await pickEndpoint(endpoints, 'Clear the API key of which endpoint?');
  if (id === undefined) return false;
  await keys.clear(id);
  if (typeof endpointId !== 'string') void vscode.window.showInformationMessage(`Hearth: the API key for ${id} is removed.`);
  return true;
}

async function pickEndpoint(endpoints: readonly Endpoint[], title: string): Promise<string | undefined> {
  if (endpoints.length === 0) {
    void vscode.window.showWarningMessage('Hearth: no cloud endpoint is configured. Add one to hearth.privacy.allowedEndpoints in your user settings first.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    endpoints.map((endpoint) => ({ label: endpoint.id, description: `${endpoint.model} · ${endpoint.baseUrl} · ${endpoint.trust}` })),
    { title, ignoreFocusOut: true },
  );
  return pick?.label;
}
