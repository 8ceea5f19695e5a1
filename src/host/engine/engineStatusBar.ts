// The status bar item: the model's state and name; a click opens the engine menu.
import * as vscode from 'vscode';
import { starterNote } from '../models/starterModels';
import type { EngineState } from './engineSupervisor';

export const STATUS_MENU_COMMAND = 'hearth.engine.menu';

export class EngineStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('hearth.engine', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'Hearth Model';
    this.item.command = STATUS_MENU_COMMAND;
    this.show({ kind: 'notLoaded' });
    this.item.show();
  }

  get text(): string {
    return this.item.text;
  }

  show(state: EngineState): void {
    this.item.backgroundColor = undefined;
    switch (state.kind) {
      case 'notLoaded':
        this.item.text = '$(circle-outline) Hearth';
        this.item.tooltip = 'Hearth: model not loaded. It loads on first use.';
        break;
      case 'loading':
        this.item.text = '$(loading~spin) Hearth: loading';
        this.item.tooltip = `Hearth: loading ${state.modelPath}`;
        break;
      case 'restarting':
        this.item.text = '$(loading~spin) Hearth: restarting';
        this.item.tooltip = `Hearth: the model process stopped; restarting in ${state.delayMs} ms`;
        break;
      case 'ready':
        this.item.text = `$(check) Hearth: ${state.model.name}`;
        this.item.tooltip = withNote(`Hearth: ${state.model.name} ready (${state.model.threads} threads, context ${state.model.contextSize})`, state.model.path);
        break;
      case 'generating':
        this.item.text = `$(sync~spin) Hearth: ${state.model.name}`;
        this.item.tooltip = withNote(`Hearth: ${state.model.name} is generating`, state.model.path);
        break;
      case 'error':
        this.item.text = '$(error) Hearth: error';
        this.item.tooltip = `Hearth: ${state.error.message}`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
    }
  }

  get tooltip(): string {
    const tooltip = this.item.tooltip;
    return typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? '');
  }

  dispose(): void {
    this.item.dispose();
  }
}

function withNote(text: string, modelPath: string): string {
  const note = starterNote(modelPath);
  return note === undefined ? text : `${text}\n\n${note}`;
}
