// The privacy shield in the status bar: the mode that applies now, always visible, so the user
// knows at a glance whether anything may leave the machine; a warning when a policy source failed
// closed or the workspace is untrusted. A click opens the privacy menu.
import * as vscode from 'vscode';
import type { EffectivePolicy, PrivacyMode } from '../../common/policy/privacyPolicy';
import type { PolicyService } from './policyService';

export const PRIVACY_MENU_COMMAND = 'hearth.privacy.menu';

/** Just left of the engine item (100): on the right, a higher priority sits further left. */
const PRIORITY = 101;

const MODE_TEXT: Readonly<Record<PrivacyMode, string>> = { local: '$(shield) Local', ask: '$(shield) Ask', cloud: '$(cloud) Cloud' };

export class PrivacyStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('hearth.privacy', vscode.StatusBarAlignment.Right, PRIORITY);
  private readonly subscription: vscode.Disposable;
  private plainTooltip = '';

  constructor(private readonly policy: Pick<PolicyService, 'current' | 'onDidChange' | 'problems'>) {
    this.item.name = 'Hearth Privacy';
    this.item.command = PRIVACY_MENU_COMMAND;
    this.render();
    this.subscription = policy.onDidChange(() => this.render());
    this.item.show();
  }

  get text(): string {
    return this.item.text;
  }

  /** The tooltip without its Markdown, for tests. */
  get tooltipText(): string {
    return this.plainTooltip;
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }

  private render(): void {
    const current = this.policy.current;
    const problems = this.policy.problems;
    const warn = problems.length > 0 || !current.trusted;
    this.item.text = `${MODE_TEXT[current.mode]}${current.trusted ? '' : ' (untrusted)'}${warn ? ' $(warning)' : ''}`;
    // Only a source that failed closed is something to fix; an untrusted workspace is a choice.
    this.item.backgroundColor = problems.length > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;

    const tooltip = new TooltipBuilder();
    tooltip.line([{ text: 'Privacy mode: ' }, { text: current.mode, bold: true }, { text: ` — set by ${current.modeSource}` }]);
    tooltip.line([{ text: describeEndpoints(current) }]);
    tooltip.line([{ text: current.redactSecrets ? 'Secrets are redacted before anything is sent.' : 'Secrets are not redacted.' }]);
    if (current.offline) tooltip.line([{ text: 'Offline: no network use at all, model downloads included.' }]);
    if (!current.trusted) tooltip.line([{ text: "This workspace is not trusted: it stays local, and its policy file's globs and endpoint choices are ignored." }], 'warning');
    for (const problem of problems) tooltip.line([{ text: problem }], 'warning');
    tooltip.line([{ text: 'Click for privacy actions' }]);
    this.item.tooltip = tooltip.markdown;
    this.plainTooltip = tooltip.plain;

    const issues = problems.length > 0 ? `, ${problems.length} policy problem${problems.length === 1 ? '' : 's'}` : '';
    this.item.accessibilityInformation = {
      label: `Hearth privacy mode: ${current.mode}, set by ${current.modeSource}${current.trusted ? '' : ', workspace not trusted'}${issues}. Activate for privacy actions.`,
      role: 'button',
    };
  }
}

function describeEndpoints(current: EffectivePolicy): string {
  if (current.endpoints.length === 0) return 'Endpoints: no cloud endpoint';
  // Listed even when local, so the user sees what switching mode would allow.
  return `Endpoints${current.mode === 'local' ? ' (none used while local)' : ''}: ${current.endpoints.map((endpoint) => `${endpoint.id} (${hostOf(endpoint.baseUrl)}, ${endpoint.trust})`).join(', ')}`;
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

interface Span {
  readonly text: string;
  readonly bold?: boolean;
}

/** Builds the Markdown tooltip and its plain text together; policy text (paths, ids) is escaped, never Markdown. */
class TooltipBuilder {
  readonly markdown = new vscode.MarkdownString('', true);
  private readonly lines: string[] = [];

  line(spans: readonly Span[], icon?: string): void {
    if (this.lines.length > 0) this.markdown.appendMarkdown('\n\n');
    if (icon !== undefined) this.markdown.appendMarkdown(`$(${icon}) `);
    for (const span of spans) {
      if (span.bold) this.markdown.appendMarkdown('**');
      this.markdown.appendText(span.text);
      if (span.bold) this.markdown.appendMarkdown('**');
    }
    this.lines.push(spans.map((span) => span.text).join(''));
  }

  get plain(): string {
    return this.lines.join('\n');
  }
}
