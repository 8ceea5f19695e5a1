// The one gate: whether a file may be read by any feature (excludeFromAI) and whether it may ever
// be sent to a cloud (neverSend). The text service applies it to every request's sources; the
// chat's chips and the writing commands ask it first only to explain a refusal early.
import { realpathSync } from 'node:fs';
import * as vscode from 'vscode';
import type { ContextSource } from '../../common/policy/contextSource';
import { createGlobMatcher, normalizePath } from '../../common/policy/pathFilter';
import type { EffectivePolicy, SourcedGlob } from '../../common/policy/privacyPolicy';
import type { PolicyService } from './policyService';

export class PrivacyGate {
  private matchers!: { readonly excluded: (path: string) => SourcedGlob | undefined; readonly neverSend: (path: string) => SourcedGlob | undefined };

  constructor(
    policy: Pick<PolicyService, 'current' | 'onDidChange'>,
    private readonly warn: (message: string) => void,
  ) {
    this.compile(policy.current);
    policy.onDidChange((current) => this.compile(current));
  }

  /** Why `source` may not be read by any feature, or undefined when it may. */
  excludedReason(source: Pick<ContextSource, 'uri' | 'path'>): string | undefined {
    const glob = this.firstMatch(source, this.matchers.excluded);
    return glob && `${source.path} is excluded from AI by "${glob.glob}" (${glob.source})`;
  }

  /** Why `source` may never be sent to a cloud, or undefined when it may. */
  neverSendReason(source: Pick<ContextSource, 'uri' | 'path'>): string | undefined {
    const excluded = this.excludedReason(source);
    if (excluded) return excluded;
    const glob = this.firstMatch(source, this.matchers.neverSend);
    return glob && `${source.path} is never sent to a cloud ("${glob.glob}", ${glob.source})`;
  }

  /** A document's path as the globs see it: relative to its workspace folder, `/` separated. */
  relativePath(uri: vscode.Uri): string {
    return normalizePath(vscode.workspace.asRelativePath(uri, false));
  }

  /** A source for (part of) a document, for a text service call. */
  sourceOf(document: vscode.TextDocument, range?: vscode.Range, text?: string): ContextSource {
    const start = range ? range.start.line : 0;
    // A range ending at column 0 of a line does not include that line.
    const end = range ? (range.end.character === 0 && range.end.line > range.start.line ? range.end.line - 1 : range.end.line) : Math.max(0, document.lineCount - 1);
    return { uri: document.uri.toString(), path: this.relativePath(document.uri), startLine: start + 1, endLine: end + 1, text };
  }

  private firstMatch(source: Pick<ContextSource, 'uri' | 'path'>, match: (path: string) => SourcedGlob | undefined): SourcedGlob | undefined {
    const direct = match(source.path);
    if (direct) return direct;
    // A link to a secret is still the secret: match where it points too.
    if (!source.uri.startsWith('file:')) return undefined;
    const uri = vscode.Uri.parse(source.uri);
    let real: string;
    try {
      real = realpathSync(uri.fsPath);
    } catch {
      return undefined;
    }
    if (real === uri.fsPath) return undefined;
    return match(this.relativePath(vscode.Uri.file(real))) ?? match(normalizePath(real).replace(/^[a-zA-Z]:/, '').replace(/^\//, ''));
  }

  private compile(policy: EffectivePolicy): void {
    const onInvalid = (glob: string) => this.warn(`Ignoring invalid privacy glob: ${glob}`);
    this.matchers = { excluded: createGlobMatcher(policy.excludeFromAI, { onInvalid }), neverSend: createGlobMatcher(policy.neverSend, { onInvalid }) };
  }
}
