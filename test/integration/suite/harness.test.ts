// Proves the integration harness: this file runs inside a real VS Code extension host, with the
// Hearth extension under development loaded, the test profile's settings applied and the sample
// workspace open.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';

describe('integration harness', () => {
  it('runs inside a VS Code extension host', () => {
    assert.match(vscode.version, /^1\.\d+\.\d+/);
    assert.equal(typeof vscode.commands.executeCommand, 'function');
  });

  it('loads the Hearth extension and activates it', async () => {
    const extension = vscode.extensions.getExtension('hearth.hearth');
    assert.ok(extension, `hearth.hearth is not loaded; extensions: ${vscode.extensions.all.map((e) => e.id).join(', ')}`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('opens the sample workspace', async () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1, `workspace folders: ${folders.map((f) => f.uri.toString()).join(', ') || 'none'}`);
    const folder = folders[0]!;
    assert.equal(folder.uri.scheme, 'file');
    // The runners name the workspace they made (with its marker file); a launch.json run may not.
    const expected = process.env.HEARTH_TEST_WORKSPACE;
    if (expected) {
      assert.equal(fs.realpathSync(folder.uri.fsPath), fs.realpathSync(expected));
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder.uri, '.hearth-test-workspace'));
    }
  });

  it('searches the workspace and opens a file in an editor', async () => {
    // findFiles goes through the search service (ripgrep), so this also proves the host's search works.
    const files = (await vscode.workspace.findFiles('**/*')).filter((uri) => !uri.path.endsWith('/.hearth-test-workspace'));
    assert.ok(files.length > 0, 'findFiles found no files in the sample workspace');
    const uri = files.sort((a, b) => a.path.localeCompare(b.path))[0]!;
    const editor = await vscode.window.showTextDocument(uri);
    assert.equal(editor.document.uri.toString(), uri.toString());
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), uri.toString());
  });

  it('applies the test profile settings', () => {
    // VS Code's default is 'welcomePage'; the runners write 'none' into the test profile.
    if (process.env.HEARTH_TEST_WORKSPACE) assert.equal(vscode.workspace.getConfiguration('workbench').get('startupEditor'), 'none');
    assert.equal(typeof vscode.workspace.getConfiguration('hearth').get('model.path'), 'string');
  });
});
