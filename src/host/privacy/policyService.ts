// The effective privacy policy, kept current: it re-reads its sources when a setting, a policy
// file, the machine file or Workspace Trust changes, so a change applies without a reload.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { mergePolicies } from '../../common/policy/mergePolicies';
import { DEFAULT_POLICY, type EffectivePolicy } from '../../common/policy/privacyPolicy';
import { machinePolicyPath, POLICY_FILE, readPolicySources } from './policySources';

export class PolicyService implements vscode.Disposable {
  private policy: EffectivePolicy = { ...DEFAULT_POLICY, trusted: vscode.workspace.isTrusted };
  private problemList: readonly string[] = [];
  private readonly changed = new vscode.EventEmitter<EffectivePolicy>();
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private reading: Promise<void> = Promise.resolve();
  private shownProblems = '';
  /** Fires after every re-read with the new policy. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: vscode.LogOutputChannel) {
    const reload = () => void this.reload();
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('hearth.privacy')) reload();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(reload),
      vscode.workspace.onDidChangeWorkspaceFolders(reload),
    );
    for (const pattern of [
      '**/' + POLICY_FILE,
      // Deleting the whole folder reports only the folder.
      '**/' + path.dirname(POLICY_FILE),
      new vscode.RelativePattern(vscode.Uri.file(path.dirname(machinePolicyPath())), path.basename(machinePolicyPath())),
    ]) {
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      this.disposables.push(watcher, watcher.onDidChange(reload), watcher.onDidCreate(reload), watcher.onDidDelete(reload));
    }
  }

  /** The policy that applies now. Until the first read finishes: local, the default globs. */
  get current(): EffectivePolicy {
    return this.policy;
  }

  /**
   * The gate for network use outside the cloud providers (model downloads): a reason to refuse,
   * or undefined. Pass it as the downloader's `mayUseNetwork`.
   */
  mayUseNetwork(url: string): string | undefined {
    return this.policy.offline ? `the privacy policy is offline (set by hearth.privacy.offline or a policy file), so ${url} is not fetched` : undefined;
  }

  /** Sources that failed closed, with the file, line and what is wrong. */
  get problems(): readonly string[] {
    return this.problemList;
  }

  /** Re-reads every source; concurrent calls run one after another, so the last one wins. */
  reload(): Promise<void> {
    this.reading = this.reading.then(async () => {
      try {
        const report = await readPolicySources();
        const merged = mergePolicies(report.sources, { trusted: vscode.workspace.isTrusted });
        this.policy = { ...merged, warnings: [...report.warnings, ...merged.warnings] };
        this.problemList = report.problems;
      } catch (error) {
        // Fails closed: nothing leaves the machine while the policy cannot be read.
        this.policy = { ...DEFAULT_POLICY, trusted: vscode.workspace.isTrusted, modeSource: 'an unreadable policy' };
        this.problemList = [`The privacy policy could not be read (${error instanceof Error ? error.message : String(error)}); it is local.`];
      }
      for (const warning of this.policy.warnings) this.log.warn(`privacy: ${warning}`);
      this.log.info(`privacy: mode ${this.policy.mode} (set by ${this.policy.modeSource}), ${this.policy.endpoints.length} endpoint(s), trusted: ${this.policy.trusted}`);
      this.showProblems();
      this.changed.fire(this.policy);
    });
    return this.reading;
  }

  private showProblems(): void {
    const key = this.problemList.join('\n');
    if (key === this.shownProblems) return;
    this.shownProblems = key;
    for (const problem of this.problemList) {
      this.log.error(`privacy: ${problem}`);
      void vscode.window.showErrorMessage(`Hearth privacy policy: ${problem}`);
    }
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
