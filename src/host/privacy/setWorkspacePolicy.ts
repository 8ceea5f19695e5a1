// `hearth.privacy.setWorkspacePolicy`: a guided flow that writes the policy file a team commits
// (`.hearth/policy.json`). A workspace can only tighten what the user and the machine allow, so
// the flow says so at each step and, once the file is saved, names the mode that actually applies
// and why it may be stricter than what was written.
import * as path from 'node:path';
import picomatch from 'picomatch';
import * as vscode from 'vscode';
import { z } from 'zod';
import { mergePolicies } from '../../common/policy/mergePolicies';
import { parsePolicyFile } from '../../common/policy/parsePolicyFile';
import {
  DEFAULT_NEVER_SEND,
  MODE_RANK,
  POLICY_VERSION,
  policyFileSchema,
  privacyModeSchema,
  type EffectivePolicy,
  type Endpoint,
  type PolicyFile,
  type PrivacyMode,
} from '../../common/policy/privacyPolicy';
import type { PolicyService } from './policyService';
import { POLICY_FILE, readPolicySources, userEndpoints } from './policySources';

export const SET_WORKSPACE_POLICY_COMMAND = 'hearth.privacy.setWorkspacePolicy';

const TITLE = 'Workspace Privacy Policy';
const SPECIAL_AFTER_BACKSLASH = /[*?[\]{}()!+@|,\\ ]/;

/** Why `glob` cannot work as a policy glob (they match workspace-relative paths), or undefined when it can. */
export function globProblem(glob: string): string | undefined {
  const trimmed = glob.trim();
  if (trimmed.length === 0) return 'an empty glob (an extra comma?)';
  // The policy is a union of globs: a negation cannot carve an exception, it would match nearly everything.
  if (trimmed.startsWith('!')) return 'negated globs are not supported; each glob only adds files';
  if (trimmed.startsWith('/') || /^[a-z]:/i.test(trimmed)) return 'globs match paths relative to the workspace folder; start with **/ or a folder name';
  if (trimmed.startsWith('./')) return 'drop the leading ./ (paths are matched without it)';
  // In a glob, `\` escapes the next character; a Windows separator would silently match nothing.
  for (let i = trimmed.indexOf('\\'); i !== -1; i = trimmed.indexOf('\\', i + 2)) {
    if (!SPECIAL_AFTER_BACKSLASH.test(trimmed.charAt(i + 1))) return 'use / as the folder separator (\\ escapes the next character)';
  }
  const scan = picomatch.scan(trimmed);
  if (scan.negatedExtglob) return 'negated globs are not supported; each glob only adds files';
  try {
    // strictBrackets: an unclosed `[`, `{` or `(` is a typo here, not a literal character.
    picomatch.makeRe(trimmed, { dot: true, nocase: true, strictBrackets: true });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return undefined;
}

/** Splits "a, b, **\/*.{pem,key}" at the commas outside braces and brackets, trimming each part. */
export function splitGlobList(text: string): string[] {
  if (text.trim().length === 0) return [];
  const parts: string[] = [];
  let current = '';
  let braces = 0;
  let inBracket = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charAt(i);
    if (char === '\\' && i + 1 < text.length) {
      current += char + text.charAt(++i);
      continue;
    }
    if (inBracket) inBracket = char !== ']';
    else if (char === '[') inBracket = true;
    else if (char === '{') braces++;
    else if (char === '}') braces = Math.max(0, braces - 1);
    else if (char === ',' && braces === 0) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += char;
  }
  parts.push(current.trim());
  return parts;
}

/** The InputBox's validateInput: the first glob that cannot work, with why. */
function globListProblem(text: string): string | undefined {
  const globs = splitGlobList(text);
  for (const [index, glob] of globs.entries()) {
    const problem = globProblem(glob);
    if (problem !== undefined) return glob.length === 0 ? `Item ${index + 1} is empty: remove the extra comma.` : `"${glob}": ${problem}.`;
  }
  return undefined;
}

const unique = (values: readonly string[]): string[] => [...new Set(values)];

const globListSchema = z
  .array(z.string().trim())
  .superRefine((globs, ctx) => {
    globs.forEach((glob, index) => {
      const problem = globProblem(glob);
      if (problem !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [index], message: problem });
    });
  })
  .transform(unique);

/** What the flow asks, given as the command's argument instead (tests, scripts): no UI is shown. */
export const workspacePolicyAnswersSchema = z
  .object({
    /** A workspace folder's name, URI or path; the first folder when absent. */
    folder: z.string().min(1).optional(),
    mode: privacyModeSchema,
    excludeFromAI: globListSchema,
    neverSend: globListSchema,
    /** Endpoint ids the workspace allows; absent writes no `allowedEndpoints` (no narrowing). */
    endpoints: z.array(z.string().trim().min(1)).transform(unique).optional(),
  })
  .strict();
export type WorkspacePolicyAnswers = z.input<typeof workspacePolicyAnswersSchema>;
type Choices = Omit<z.output<typeof workspacePolicyAnswersSchema>, 'folder'>;

type ExistingFile = { readonly kind: 'none' } | { readonly kind: 'valid'; readonly policy: PolicyFile } | { readonly kind: 'invalid'; readonly error: string };

/** What the user's and the machine's sources allow, before any workspace narrows it. */
interface Baseline {
  readonly endpoints: readonly Endpoint[];
  /** The loosest mode a policy file could still get (every source but policy files). */
  readonly ceiling: Pick<EffectivePolicy, 'mode' | 'modeSource' | 'trusted'>;
}

/**
 * Runs the flow, or with `answers` (the command's argument) writes the file without any UI and
 * rejects if they are invalid. Resolves with the file written, or undefined when cancelled.
 */
export async function setWorkspacePolicy(
  policy: Pick<PolicyService, 'current' | 'reload'>,
  log: (message: string) => void,
  answers?: unknown,
): Promise<vscode.Uri | undefined> {
  // A command invoked from the palette gets no argument; anything else must be valid answers.
  if (answers !== undefined && answers !== null) return setFromAnswers(policy, log, answers);

  const folder = await pickFolder();
  if (folder === undefined) return undefined;
  const uri = vscode.Uri.joinPath(folder.uri, POLICY_FILE);
  const label = fileLabel(folder);
  const [existing, baseline] = await Promise.all([readExisting(uri), readBaseline(policy.current, log)]);
  const previous = existing.kind === 'valid' ? existing.policy : undefined;
  if (existing.kind === 'invalid') log(`Privacy: ${label} ${existing.error}; the policy flow starts from the defaults.`);

  const previousIds = previous?.allowedEndpoints?.map((entry) => (typeof entry === 'string' ? entry : entry.id));
  const endpointItems = endpointChoices(baseline.endpoints, previousIds);
  const total = endpointItems.length > 0 ? 4 : 3;
  const title = (step: number) => `${TITLE} (${step}/${total})`;

  const mode = await askMode(title(1), label, existing, baseline);
  if (mode === undefined) return undefined;
  const excludeFromAI = await askGlobs(
    title(2),
    'Files no Hearth feature reads, local or cloud: comma-separated globs, added to what your settings exclude (.env, keys…).',
    previous?.excludeFromAI ?? [],
  );
  if (excludeFromAI === undefined) return undefined;
  const neverSend = await askGlobs(
    title(3),
    'Files never sent to any cloud endpoint, even when a command may escalate: comma-separated globs.',
    previous?.neverSend ?? DEFAULT_NEVER_SEND,
  );
  if (neverSend === undefined) return undefined;
  let endpoints: string[] | undefined;
  if (endpointItems.length > 0) {
    const picked = await vscode.window.showQuickPick(endpointItems, {
      title: title(4),
      placeHolder: 'Cloud endpoints this workspace allows. Endpoints come from your settings or the machine: a workspace can only remove them, never add one.',
      canPickMany: true,
      ignoreFocusOut: true,
      matchOnDescription: true,
    });
    if (picked === undefined) return undefined;
    endpoints = picked.map((item) => item.label);
  }

  // Writing under an editor with unsaved changes would make its next save a conflict.
  const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
  if (open?.isDirty) {
    const answer = await vscode.window.showWarningMessage(`${label} has unsaved changes in an editor. Replace the file anyway?`, { modal: true }, 'Replace');
    if (answer !== 'Replace') return undefined;
  }

  let file: PolicyFile;
  try {
    file = composeFile(previous, { mode, excludeFromAI, neverSend, endpoints });
    await writePolicyFile(uri, file);
  } catch (error) {
    log(`Privacy: could not write ${uri.toString(true)}: ${describe(error)}`);
    void vscode.window.showErrorMessage(`Hearth: could not write ${label}: ${describe(error)}`);
    return undefined;
  }
  log(`Privacy: wrote ${uri.toString(true)} (mode ${mode}).`);
  await policy.reload();
  try {
    await vscode.window.showTextDocument(uri, { preview: false });
  } catch (error) {
    log(`Privacy: could not open ${uri.toString(true)}: ${describe(error)}`);
  }
  void vscode.window.showInformationMessage(describeOutcome(label, mode, policy.current));
  return uri;
}

async function setFromAnswers(policy: Pick<PolicyService, 'current' | 'reload'>, log: (message: string) => void, raw: unknown): Promise<vscode.Uri> {
  const parsed = workspacePolicyAnswersSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
    throw new Error(`Invalid arguments for ${SET_WORKSPACE_POLICY_COMMAND}: ${issues.join('; ')}`);
  }
  const { folder: wanted, ...choices } = parsed.data;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) throw new Error(`${SET_WORKSPACE_POLICY_COMMAND}: no folder is open; open a folder to set its privacy policy.`);
  const folder =
    wanted === undefined
      ? folders[0]
      : folders.find((f) => f.name === wanted || f.uri.toString() === wanted || (f.uri.scheme === 'file' && path.resolve(f.uri.fsPath) === path.resolve(wanted)));
  if (folder === undefined) throw new Error(`${SET_WORKSPACE_POLICY_COMMAND}: no workspace folder is named "${wanted}" (open: ${folders.map((f) => f.name).join(', ')}).`);

  const uri = vscode.Uri.joinPath(folder.uri, POLICY_FILE);
  const existing = await readExisting(uri);
  if (existing.kind === 'invalid') log(`Privacy: ${fileLabel(folder)} ${existing.error}; replacing it.`);
  const known = new Set((await readBaseline(policy.current, log)).endpoints.map((endpoint) => endpoint.id));
  const unknown = (choices.endpoints ?? []).filter((id) => !known.has(id));
  // A team may name an endpoint its members define; this machine simply ignores it until then.
  if (unknown.length > 0) log(`Privacy: ${fileLabel(folder)} names endpoints neither your settings nor the machine define: ${unknown.join(', ')}.`);

  await writePolicyFile(uri, composeFile(existing.kind === 'valid' ? existing.policy : undefined, choices));
  await policy.reload();
  log(`Privacy: wrote ${uri.toString(true)} (mode ${choices.mode}). ${describeOutcome(fileLabel(folder), choices.mode, policy.current)}`);
  return uri;
}

async function pickFolder(): Promise<vscode.WorkspaceFolder | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    void vscode.window.showErrorMessage(`Hearth: open a folder first; the workspace privacy policy is saved in its ${POLICY_FILE}.`);
    return undefined;
  }
  if (folders.length === 1) return folders[0];
  const picked = await vscode.window.showQuickPick(
    folders.map((folder) => ({ label: folder.name, description: folder.uri.scheme === 'file' ? folder.uri.fsPath : folder.uri.toString(true), folder })),
    { title: `${TITLE}: which folder?`, placeHolder: `The folder whose ${POLICY_FILE} to write`, ignoreFocusOut: true },
  );
  return picked?.folder;
}

function fileLabel(folder: vscode.WorkspaceFolder): string {
  return (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? `${folder.name}/${POLICY_FILE}` : POLICY_FILE;
}

async function readExisting(uri: vscode.Uri): Promise<ExistingFile> {
  let bytes: Uint8Array;
  try {
    bytes = await vscode.workspace.fs.readFile(uri);
  } catch (error) {
    if (error instanceof vscode.FileSystemError && error.code === 'FileNotFound') return { kind: 'none' };
    return { kind: 'invalid', error: `cannot be read (${describe(error)})` };
  }
  const parsed = parsePolicyFile(new TextDecoder().decode(bytes));
  return parsed.ok ? { kind: 'valid', policy: parsed.policy } : { kind: 'invalid', error: `is invalid (${parsed.error})` };
}

/**
 * The endpoints the user or machine define and the mode they allow, merged without the policy
 * files: `current` is already narrowed by any existing file, and re-running the flow must be able
 * to allow again what the file removed.
 */
async function readBaseline(current: EffectivePolicy, log: (message: string) => void): Promise<Baseline> {
  const found = new Map<string, Endpoint>();
  let ceiling: Baseline['ceiling'] = current;
  try {
    const { sources } = await readPolicySources();
    const own = mergePolicies(
      sources.filter((source) => source.kind === 'machine' || source.kind === 'user'),
      { trusted: true },
    );
    for (const endpoint of own.endpoints) found.set(endpoint.id, endpoint);
    ceiling = mergePolicies(
      sources.filter((source) => source.kind !== 'policyFile'),
      { trusted: vscode.workspace.isTrusted },
    );
  } catch (error) {
    log(`Privacy: could not read the policy sources (${describe(error)}); offering the endpoints in effect and those in your settings.`);
    for (const endpoint of userEndpoints() ?? []) found.set(endpoint.id, endpoint);
  }
  for (const endpoint of current.endpoints) if (!found.has(endpoint.id)) found.set(endpoint.id, endpoint);
  return { endpoints: [...found.values()], ceiling: { mode: ceiling.mode, modeSource: ceiling.modeSource, trusted: ceiling.trusted } };
}

interface ModeItem extends vscode.QuickPickItem {
  readonly mode: PrivacyMode;
}

const MODE_ITEMS: ReadonlyArray<{ readonly mode: PrivacyMode; readonly label: string; readonly detail: string }> = [
  { mode: 'local', label: '$(shield) Local', detail: 'Nothing leaves this machine.' },
  { mode: 'ask', label: '$(shield) Ask', detail: 'Each complex command shows what would be sent and waits for your consent.' },
  { mode: 'cloud', label: '$(cloud) Cloud', detail: 'Complex commands may use the cloud endpoint without asking.' },
];

function askMode(title: string, label: string, existing: ExistingFile, baseline: Baseline): Promise<PrivacyMode | undefined> {
  const fileMode = existing.kind === 'valid' ? existing.policy.mode : undefined;
  const items: ModeItem[] = MODE_ITEMS.map(({ mode, label: itemLabel, detail }) => {
    const notes: string[] = [];
    if (mode === fileMode) notes.push(`in ${label} now`);
    if (MODE_RANK[mode] > MODE_RANK[baseline.ceiling.mode]) notes.push(allowsOnly(baseline.ceiling));
    return { mode, label: itemLabel, detail, description: notes.join(' · ') || undefined };
  });
  const invalid = existing.kind === 'invalid' ? `${label} ${existing.error}; starting from the defaults. ` : '';
  const placeholder = `${invalid}A workspace can only tighten what your settings allow: the most restrictive mode applies.`;

  // createQuickPick rather than showQuickPick: only it can pre-select the file's current mode.
  return new Promise((resolve) => {
    const pick = vscode.window.createQuickPick<ModeItem>();
    pick.title = title;
    pick.placeholder = placeholder;
    pick.ignoreFocusOut = true;
    pick.items = items;
    const current = items.find((item) => item.mode === fileMode);
    if (current !== undefined) pick.activeItems = [current];
    const disposables = [
      pick.onDidAccept(() => {
        const chosen = pick.selectedItems[0] ?? pick.activeItems[0];
        if (chosen === undefined) return;
        resolve(chosen.mode);
        pick.hide();
      }),
      pick.onDidHide(() => {
        resolve(undefined); // no effect once accepted: a promise settles once
        for (const disposable of disposables) disposable.dispose();
        pick.dispose();
      }),
    ];
    pick.show();
  });
}

async function askGlobs(title: string, prompt: string, initial: readonly string[]): Promise<string[] | undefined> {
  const text = await vscode.window.showInputBox({
    title,
    prompt,
    value: initial.join(', '),
    placeHolder: 'e.g. **/fixtures/customers/**, **/*.{sql,csv} (empty for none)',
    ignoreFocusOut: true,
    validateInput: globListProblem,
  });
  return text === undefined ? undefined : unique(splitGlobList(text));
}

interface EndpointItem extends vscode.QuickPickItem {
  readonly label: string;
}

/** The defined endpoints, plus ids the file lists that this machine does not define (kept, so a rewrite drops no team choice). */
function endpointChoices(defined: readonly Endpoint[], listed: readonly string[] | undefined): EndpointItem[] {
  const items: EndpointItem[] = defined.map((endpoint) => ({
    label: endpoint.id,
    description: `${endpoint.model} · ${hostOf(endpoint.baseUrl)} · ${endpoint.trust}`,
    picked: listed === undefined || listed.includes(endpoint.id),
  }));
  for (const id of listed ?? []) {
    if (!defined.some((endpoint) => endpoint.id === id)) {
      items.push({ label: id, description: 'not defined in your settings or the machine policy', picked: true });
    }
  }
  return items;
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

/** The new file: the answers, plus the other settings the previous valid file had. */
function composeFile(previous: PolicyFile | undefined, choices: Choices): PolicyFile {
  const file: PolicyFile = {
    ...(previous?.$schema !== undefined ? { $schema: previous.$schema } : {}),
    version: POLICY_VERSION,
    mode: choices.mode,
    excludeFromAI: choices.excludeFromAI,
    neverSend: choices.neverSend,
    ...(choices.endpoints !== undefined ? { allowedEndpoints: choices.endpoints } : {}),
    ...(previous?.redactSecrets !== undefined ? { redactSecrets: previous.redactSecrets } : {}),
    ...(previous?.maxBytesPerRequest !== undefined ? { maxBytesPerRequest: previous.maxBytesPerRequest } : {}),
    ...(previous?.offline !== undefined ? { offline: previous.offline } : {}),
    ...(previous?.internalServesSimple !== undefined ? { internalServesSimple: previous.internalServesSimple } : {}),
  };
  // The reader fails closed on an invalid file, so never write one.
  const checked = policyFileSchema.safeParse(file);
  if (!checked.success) throw new Error(`the policy would be invalid (${checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')})`);
  return file;
}

async function writePolicyFile(uri: vscode.Uri, file: PolicyFile): Promise<void> {
  await vscode.workspace.fs.createDirectory(uri.with({ path: path.posix.dirname(uri.path) }));
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(`${JSON.stringify(file, null, 2)}\n`));
}

/** The mode in effect after saving, and why when it is stricter than the one written. */
export function describeOutcome(label: string, written: PrivacyMode, current: Pick<EffectivePolicy, 'mode' | 'modeSource' | 'trusted'>): string {
  let message = `Hearth: saved ${label} (mode ${written}). Privacy mode in effect: ${current.mode}, set by ${current.modeSource}.`;
  if (!current.trusted) message += ' This workspace is not trusted, so it stays local and its file applies once you trust it.';
  else if (MODE_RANK[current.mode] < MODE_RANK[written]) message += ` ${capitalize(allowsOnly(current))}; a workspace can tighten the mode, never loosen it.`;
  return message;
}

/** Why a workspace cannot get a looser mode than `limit`, in words ("the user's settings allow only local"). */
function allowsOnly(limit: Pick<EffectivePolicy, 'mode' | 'modeSource' | 'trusted'>): string {
  if (!limit.trusted) return 'this workspace is not trusted, so it stays local';
  if (limit.modeSource === 'default') return `the user's settings allow only ${limit.mode} (hearth.privacy.mode is not set)`;
  if (limit.modeSource === 'User settings') return `the user's settings allow only ${limit.mode}`;
  if (limit.modeSource === 'Workspace settings') return `the workspace settings (hearth.privacy.mode) allow only ${limit.mode}`;
  return `${limit.modeSource} allows only ${limit.mode}`;
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
