// How Hearth connects to a cloud endpoint: timeouts and retries from `hearth.cloud.*`; VS Code's
// `http.proxy` and a company CA (`hearth.cloud.caFile`, or NODE_EXTRA_CA_CERTS, which Node reads
// itself) only for internal endpoints, the ones inside the firewall.
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { Endpoint } from '../../common/policy/privacyPolicy';
import type { CloudConnectionOptions } from './cloud/cloudProvider';

export function cloudConnection(endpoint: Endpoint): Omit<CloudConnectionOptions, 'apiKey'> {
  const cloud = vscode.workspace.getConfiguration('hearth.cloud');
  const timeoutSeconds = cloud.get<number>('timeoutSeconds', 60);
  const maxRetries = cloud.get<number>('maxRetries', 2);
  const base = { timeoutMs: Math.max(1, timeoutSeconds) * 1000, maxRetries: Math.max(0, Math.min(10, maxRetries)) };
  if (endpoint.trust !== 'internal') return base;
  const proxy = vscode.workspace.getConfiguration('http').get<string>('proxy')?.trim();
  const caFile = cloud.get<string>('caFile')?.trim();
  const caCertificates: string[] = [];
  if (caFile) {
    try {
      caCertificates.push(readFileSync(caFile, 'utf8'));
    } catch (error) {
      throw new Error(`hearth.cloud.caFile (${caFile}) cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return { ...base, ...(proxy ? { proxyUrl: proxy } : {}), ...(caCertificates.length > 0 ? { caCertificates } : {}) };
}
