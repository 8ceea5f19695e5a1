// Privacy as the user sees it: the effective policy (followed live), the one gate, the ledger,
// API keys in SecretStorage, the status-bar shield, and the commands that set the workspace
// policy and open the ledger.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ApiKeys, clearApiKeyCommand, setApiKeyCommand } from './apiKeys';
import { PolicyService } from './policyService';
import { PrivacyGate } from './privacyGate';
import { PrivacyLedger } from './privacyLedger';
import { showPrivacyMenu } from './privacyMenu';
import { PrivacyStatusBar } from './privacyStatusBar';
import { setWorkspacePolicy } from './setWorkspacePolicy';
import { showLedger } from './showLedger';

export interface PrivacyArea {
  readonly policy: PolicyService;
  readonly gate: PrivacyGate;
  readonly ledger: PrivacyLedger;
  readonly apiKeys: ApiKeys;
  readonly statusBar: PrivacyStatusBar;
  /** Resolves once the policy has been read the first time. */
  readonly ready: Promise<void>;
}

export function registerPrivacy(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): PrivacyArea {
  const policy = new PolicyService(log);
  const gate = new PrivacyGate(policy, (message) => log.warn(message));
  const ledger = new PrivacyLedger(path.join(context.globalStorageUri.fsPath, 'privacy-ledger.jsonl'), (message) => log.warn(message));
  const apiKeys = new ApiKeys(context.secrets);
  const statusBar = new PrivacyStatusBar(policy);
  const report = (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    log.error(message);
    void vscode.window.showErrorMessage(`Hearth: ${message}`);
  };
  const guard =
    <A extends unknown[], R>(command: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R | undefined> => {
      try {
        return await command(...args);
      } catch (error) {
        report(error);
        return undefined;
      }
    };
  context.subscriptions.push(
    policy,
    statusBar,
    vscode.commands.registerCommand('hearth.privacy.showLedger', guard(() => showLedger(ledger, (message) => log.warn(message)))),
    vscode.commands.registerCommand('hearth.privacy.setWorkspacePolicy', guard((answers?: unknown) => setWorkspacePolicy(policy, (message) => log.info(message), answers))),
    vscode.commands.registerCommand('hearth.privacy.menu', guard(() => showPrivacyMenu())),
    vscode.commands.registerCommand('hearth.cloud.setApiKey', guard((id?: unknown, key?: unknown) => setApiKeyCommand(apiKeys, policy.current.endpoints, id, key))),
    vscode.commands.registerCommand('hearth.cloud.clearApiKey', guard((id?: unknown) => clearApiKeyCommand(apiKeys, policy.current.endpoints, id))),
  );
  return { policy, gate, ledger, apiKeys, statusBar, ready: policy.reload() };
}
