import * as path from 'node:path';
import { app, BrowserWindow, dialog } from 'electron';
import type { DialogWords, FolderPurpose } from '../../core/api';

/** For a renderer that sends no words of its own (the UI always does, in its language). */
const ENGLISH: Record<FolderPurpose, DialogWords> = {
  new: { title: 'New mdlab session: choose a name for its folder', button: 'Create' },
  open: { title: 'Open an mdlab session folder', button: 'Open' },
  saveAs: { title: 'Save the mdlab session as a new folder', button: 'Save' },
};

/**
 * The native folder dialogs. A new session or a copy needs a folder that does not exist yet (mdlab makes
 * it), so those ask like a Save dialog; Open picks an existing folder.
 */
export async function chooseFolder(
  owner: BrowserWindow | null,
  purpose: FolderPurpose,
  suggestedName: string | undefined,
  words: DialogWords = ENGLISH[purpose],
): Promise<string | null> {
  if (purpose === 'open') {
    const options: Electron.OpenDialogOptions = { title: words.title, buttonLabel: words.button, properties: ['openDirectory', 'createDirectory', 'dontAddToRecent'] };
    const r = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
    return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
  }
  const base = (suggestedName ?? 'mdlab-session').replace(/[/\\\0]/g, '-') || 'mdlab-session';
  const options: Electron.SaveDialogOptions = {
    title: words.title,
    defaultPath: path.join(app.getPath('documents'), base),
    buttonLabel: words.button,
    properties: ['createDirectory', 'showOverwriteConfirmation', 'dontAddToRecent'],
  };
  const r = owner ? await dialog.showSaveDialog(owner, options) : await dialog.showSaveDialog(options);
  return r.canceled || !r.filePath ? null : r.filePath;
}

export function windowOf(sender: Electron.WebContents): BrowserWindow | null {
  return BrowserWindow.fromWebContents(sender);
}
