// The quick pick behind the status bar item.
import * as vscode from 'vscode';

interface MenuItem extends vscode.QuickPickItem {
  readonly command: string;
}

export async function showEngineMenu(modelDescription: string): Promise<void> {
  const items: MenuItem[] = [
    { label: '$(file) Choose Model File…', description: modelDescription, command: 'hearth.model.choose' },
    { label: '$(debug-restart) Restart Engine', command: 'hearth.engine.restart' },
    { label: '$(output) Show Log', command: 'hearth.showLog' },
    { label: '$(play) Try the Local Model…', command: 'hearth.generate.tryModel' },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Hearth', placeHolder: 'Local model' });
  if (picked !== undefined) await vscode.commands.executeCommand(picked.command);
}
