// Reads each policy source: the machine file an IT department deploys, the user's and the
// workspace's `hearth.privacy.*` settings, and each folder's committed `.hearth/policy.json`.
// A source that cannot be read as a policy fails closed: it counts as `mode: local`.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { z } from 'zod';
import { parsePolicyFile } from '../../common/policy/parsePolicyFile';
import { DEFAULT_EXCLUDE_FROM_AI, endpointSchema, privacyModeSchema, type Endpoint, type PartialPolicy, type PolicySource } from '../../common/policy/privacyPolicy';

export const POLICY_FILE = '.hearth/policy.json';

/** The machine-wide file's fixed path per OS; HEARTH_MACHINE_POLICY points tests elsewhere. */
export function machinePolicyPath(): string {
  const override = process.env.HEARTH_MACHINE_POLICY;
  if (override) return override;
  if (process.platform === 'win32') return path.join(process.env.ProgramData ?? 'C:\\ProgramData', 'Hearth', 'policy.json');
  if (process.platform === 'darwin') return '/Library/Application Support/Hearth/policy.json';
  return '/etc/hearth/policy.json';
}

export interface SourceReport {
  readonly sources: PolicySource[];
  /** Sources that failed closed, each naming the file or setting, the line and what is wrong. */
  readonly problems: string[];
  readonly warnings: string[];
}

export async function readPolicySources(): Promise<SourceReport> {
  const problems: string[] = [];
  const warnings: string[] = [];
  const sources: PolicySource[] = [];

  const machineFile = machinePolicyPath();
  const machineText = await fs.readFile(machineFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') problems.push(`${machineFile} cannot be read (${error.code ?? error.message}); the policy is local until it can.`);
    return error.code === 'ENOENT' ? undefined : '{"version":1,"mode":"local"}';
  });
  if (machineText !== undefined) sources.push(fileSource('machine', machineFile, machineText, problems));

  sources.push(...settingsSources(warnings));

  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const uri = vscode.Uri.joinPath(folder.uri, POLICY_FILE);
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      continue; // no policy file in this folder
    }
    const label = (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? `${folder.name}/${POLICY_FILE}` : POLICY_FILE;
    sources.push(fileSource('policyFile', label, text, problems));
  }
  return { sources, problems, warnings };
}

function fileSource(kind: 'machine' | 'policyFile', label: string, text: string, problems: string[]): PolicySource {
  const parsed = parsePolicyFile(text);
  if (parsed.ok) {
    const { $schema: _schema, version: _version, ...policy } = parsed.policy;
    return { kind, label, policy };
  }
  problems.push(`${label} ${parsed.error}. Until it is fixed, the policy is local.`);
  return { kind, label: `${label} (invalid)`, policy: { mode: 'local' } };
}

const globs = z.array(z.string());
const fields = {
  mode: privacyModeSchema,
  excludeFromAI: globs,
  neverSend: globs,
  redactSecrets: z.boolean(),
  maxBytesPerRequest: z.number().int().positive(),
  offline: z.boolean(),
  internalServesSimple: z.boolean(),
} as const;

/** The user's and the workspace's settings, each value checked; an invalid mode fails closed. */
function settingsSources(warnings: string[]): PolicySource[] {
  const config = vscode.workspace.getConfiguration('hearth.privacy');
  const user: Record<string, unknown> = {};
  const workspace: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(fields)) {
    const inspected = config.inspect(key);
    const read = (value: unknown, where: string, into: Record<string, unknown>) => {
      if (value === undefined) return;
      const parsed = (schema as z.ZodTypeAny).safeParse(value);
      if (parsed.success) into[key] = parsed.data;
      else if (key === 'mode') {
        into[key] = 'local';
        warnings.push(`${where}: hearth.privacy.mode is not local, ask or cloud; using local.`);
      } else warnings.push(`${where}: hearth.privacy.${key} is invalid and was ignored.`);
    };
    read(inspected?.globalValue, 'User settings', user);
    // Endpoint and trust choices are application-scoped; VS Code never reads them from a workspace.
    if (key !== 'internalServesSimple') {
      read(inspected?.workspaceValue, 'Workspace settings', workspace);
      read(inspected?.workspaceFolderValue, 'Folder settings', workspace);
    }
  }
  // `hearth.privacy.exclude` (before the policy existed) still counts, as part of excludeFromAI.
  const legacy = config.inspect('exclude');
  const legacyUser = globs.safeParse(legacy?.globalValue);
  if (legacyUser.success) user.excludeFromAI = [...((user.excludeFromAI as string[] | undefined) ?? DEFAULT_EXCLUDE_FROM_AI), ...legacyUser.data];
  const legacyWorkspace = globs.safeParse(legacy?.workspaceValue ?? legacy?.workspaceFolderValue);
  if (legacyWorkspace.success) workspace.excludeFromAI = [...((workspace.excludeFromAI as string[] | undefined) ?? []), ...legacyWorkspace.data];

  user.allowedEndpoints = userEndpoints(warnings);
  const sources: PolicySource[] = [{ kind: 'user', label: 'User settings', policy: user as PartialPolicy }];
  if (Object.keys(workspace).length > 0) sources.push({ kind: 'workspaceSettings', label: 'Workspace settings', policy: workspace as PartialPolicy });
  return sources;
}

/** hearth.privacy.allowedEndpoints from the user's settings; an invalid entry is skipped with a warning. */
export function userEndpoints(warnings: string[] = []): Endpoint[] | undefined {
  const raw = vscode.workspace.getConfiguration('hearth.privacy').inspect('allowedEndpoints')?.globalValue;
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) {
    warnings.push('User settings: hearth.privacy.allowedEndpoints must be a list; no endpoint is allowed.');
    return [];
  }
  const endpoints: Endpoint[] = [];
  raw.forEach((entry: unknown, index) => {
    const parsed = endpointSchema.safeParse(entry);
    if (parsed.success) endpoints.push(parsed.data);
    else warnings.push(`User settings: hearth.privacy.allowedEndpoints[${index}] is invalid (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}); skipped.`);
  });
  return endpoints;
}

/** For messages: where the machine policy lives on this OS. */
export function describeMachinePolicy(): string {
  return `${machinePolicyPath()} (${os.platform()})`;
}
