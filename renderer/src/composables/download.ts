/**
 * Hands text to the user as a file: a Blob and an <a download>, which a browser saves and Electron
 * turns into its own save dialog. The name is a suggestion; the user's browser or dialog decides where.
 */
export function downloadText(fileName: string, text: string, mimeType: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: `${mimeType};charset=utf-8` }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The click starts the download synchronously; the URL only has to outlive this task.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** A session or lab name as a file name: what a user would type, without path separators or oddities. */
export function fileNameOf(name: string, extension: string): string {
  const base = name.replace(/[^\p{L}\p{N}_.-]+/gu, '-').replace(/^[-.]+|-+$/g, '') || 'session';
  return `${base}.${extension}`;
}
