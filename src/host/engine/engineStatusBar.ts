// The status bar item: the model's state and name; a click opens the engine menu.
import * as vscode from 'vscode';
import { starterNote } from '../models/starterModels';
import type { ModelInfo } from '../../common/protocol/engineProtocol';
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
        this.item.tooltip =
          state.chatModelPath === undefined ? `Hearth: loading ${state.modelPath}` : `Hearth: loading ${state.modelPath} (completion) and ${state.chatModelPath} (chat)`;
        break;
      case 'restarting':
        this.item.text = '$(loading~spin) Hearth: restarting';
        this.item.tooltip = `Hearth: the model process stopped; restarting in ${state.delayMs} ms`;
        break;
      case 'ready':
        this.item.text = `$(check) Hearth: ${names(state.model)}`;
        this.item.tooltip = withNotes(`Hearth: ${described(state.model)} ready`, state.model);
        break;
      case 'generating':
        this.item.text = `$(sync~spin) Hearth: ${names(state.model)}`;
        this.item.tooltip = withNotes(`Hearth: ${described(state.model)} generating`, state.model);
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

/** One name, or "completion + chat" names when the roles use different files. */
function names(model: ModelInfo): string {
  return model.chat === undefined ? model.name : `${model.name} + ${model.chat.name}`;
}

function described(model: ModelInfo): string {
  const one = (info: Omit<ModelInfo, 'chat'>) => `${info.name} (threads: ${info.promptThreads} reading prompts, ${info.threads} decoding; context ${info.contextSize})`;
  return model.chat === undefined ? `${one(model)} is` : `${one(model)} for completion and ${one(model.chat)} for chat are`;
}

function withNotes(text: string, model: ModelInfo): string {
  const notes = [...new Set([starterNote(model.path), model.chat === undefined ? undefined : starterNote(model.chat.path)])].filter((note) => note !== undefined);
  return notes.length === 0 ? text : `${text}\n\n${notes.join('\n\n')}`;
}
