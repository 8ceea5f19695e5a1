// The completions item in the status bar: on/off at a glance, a click toggles, and it spins
// while a completion is being computed.
import * as vscode from 'vscode';

export const TOGGLE_COMPLETIONS_COMMAND = 'hearth.completions.toggle';

export class CompletionStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('hearth.completions', vscode.StatusBarAlignment.Right, 99);
  private enabled = true;
  private busy = false;

  constructor() {
    this.item.name = 'Hearth Completions';
    this.item.command = TOGGLE_COMPLETIONS_COMMAND;
    this.render();
    this.item.show();
  }

  get text(): string {
    return this.item.text;
  }

  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
    this.render();
  }

  setBusy(busy: boolean): void {
    this.busy = busy;
    this.render();
  }

  dispose(): void {
    this.item.dispose();
  }

  private render(): void {
    if (!this.enabled) {
      this.item.text = '$(circle-slash) Completions';
      this.item.tooltip = 'Hearth inline completions are off. Click to turn them on.';
      return;
    }
    this.item.text = this.busy ? '$(loading~spin) Completions' : '$(sparkle) Completions';
    this.item.tooltip = this.busy ? 'Hearth is computing a completion…' : 'Hearth inline completions are on (local model). Click to turn them off.';
  }
}
