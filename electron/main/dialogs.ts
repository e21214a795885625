import * as path from 'node:path';
import { app, BrowserWindow, dialog } from 'electron';
import type { FolderPurpose } from '../../core/api';

const TITLES: Record<FolderPurpose, string> = {
  new: 'New mdlab session: choose a name for its folder',
  open: 'Open an mdlab session folder',
  saveAs: 'Save the mdlab session as a new folder',
};

/**
 * The native folder dialogs. A new session or a copy needs a folder that does not exist yet (mdlab makes
 * it), so those ask like a Save dialog; Open picks an existing folder.
 */
export async function chooseFolder(owner: BrowserWindow | null, purpose: FolderPurpose, suggestedName: string | undefined): Promise<string | null> {
  if (purpose === 'open') {
    const options: Electron.OpenDialogOptions = { title: TITLES.open, properties: ['openDirectory', 'createDirectory', 'dontAddToRecent'] };
    const r = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
    return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
  }
  const base = (suggestedName ?? 'mdlab-session').replace(/[/\\\0]/g, '-') || 'mdlab-session';
  const options: Electron.SaveDialogOptions = {
    title: TITLES[purpose],
    defaultPath: path.join(app.getPath('documents'), base),
    buttonLabel: purpose === 'new' ? 'Create' : 'Save',
    properties: ['createDirectory', 'showOverwriteConfirmation', 'dontAddToRecent'],
  };
  const r = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
  return r.canceled || !r.filePath ? null : r.filePath;
}

export function windowOf(sender: Electron.WebContents): BrowserWindow | null {
  return BrowserWindow.fromWebContents(sender);
}
