import { randomUUID } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { basename, join } from 'node:path'

// Browser mode's uploads wait in <data dir>/uploads/<id>--<name> until `import:start` reads and
// deletes them. The name stays in the file name so format detection can fall back on the extension.
const SEPARATOR = '--'
const UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** Keeps a name the browser sent harmless as a file name: no directories, no control characters. */
export const safeUploadName = (name: string): string =>
  basename(name.replaceAll('\\', '/'))
    .replace(/[^\w.\- ()[\]]/g, '_')
    .slice(0, 200) || 'upload'

export const newUpload = (dir: string, name: string): { id: string; path: string } => {
  const id = randomUUID()
  return { id, path: join(dir, `${id}${SEPARATOR}${safeUploadName(name)}`) }
}

/** The waiting upload with this id, or undefined (unknown, already imported, or not an id at all). */
export const findUpload = async (
  dir: string,
  id: string,
): Promise<{ path: string; name: string } | undefined> => {
  if (!UPLOAD_ID.test(id)) return undefined
  let entries: string[]
  try {
    entries = await readdir(dir)
  } catch {
    return undefined
  }
  const file = entries.find((entry) => entry.startsWith(id + SEPARATOR))
  return file ? { path: join(dir, file), name: file.slice(id.length + SEPARATOR.length) } : undefined
}
