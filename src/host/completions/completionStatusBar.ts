// The completions item in the status bar: on/off at a glance, a click toggles, it spins while a
// completion is being computed, and it says why no suggestion can come yet (the model is loading,
// a file is being read in), so a slow first minute never looks broken.
import * as vscode from 'vscode';
import type { CompletionActivity } from './completionService';

export const TOGGLE_COMPLETIONS_COMMAND = 'hearth.completions.toggle';

export class CompletionStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('hearth.completions', vscode.StatusBarAlignment.Right, 99);
  private enabled = true;
  private activity: CompletionActivity = { kind: 'idle' };
  /** The model file being loaded, while the model process loads it. */
  private loadingModel: string | undefined;

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

  setActivity(activity: CompletionActivity): void {
    this.activity = activity;
    this.render();
  }

  setModelLoading(model: string | undefined): void {
    this.loadingModel = model;
    this.render();
  }

  get tooltip(): string {
    const tooltip = this.item.tooltip;
    return typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? '');
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
    if (this.loadingModel !== undefined) {
      this.item.text = '$(loading~spin) Completions: loading the model';
      this.item.tooltip = `Hearth is loading ${this.loadingModel}; suggestions start once it is ready.`;
      return;
    }
    switch (this.activity.kind) {
      case 'reading':
        this.item.text = '$(loading~spin) Completions: reading the file';
        this.item.tooltip = `Hearth is reading ${this.activity.path} into the model, so the first suggestion in it comes quickly.`;
        return;
      case 'computing':
        this.item.text = '$(loading~spin) Completions';
        this.item.tooltip = 'Hearth is computing a completion…';
        return;
      case 'idle':
        this.item.text = '$(sparkle) Completions';
        this.item.tooltip = 'Hearth inline completions are on (local model). Click to turn them off.';
    }
  }
}
