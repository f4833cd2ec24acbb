/**
 * Reads rule files for the rule store: a folder (recursively), a .zip (SigmaHQ's release
 * archives) or one .yml. Texts are kept as written; compiling is the rule book's job.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { basename, dirname, join, relative } from 'node:path'
import { strFromU8, unzipSync } from 'fflate'

export type RuleText = { path: string; text: string }
export type RuleTexts = {
  files: RuleText[]
  /** DRL-1.1 when the folder, a parent or the archive carries the Detection Rule License. */
  license: string | null
  errors: { path: string; reason: string }[]
}

const isRuleFile = (name: string): boolean => /\.ya?ml$/i.test(name)
const isLicenseFile = (name: string): boolean => /^licen[cs]e/i.test(basename(name))

/** The license a LICENSE file states, by its title; null when it is not one we can name. */
export const licenseOf = (text: string): string | null => {
  if (/Detection Rule License/i.test(text)) return /1\.1/.test(text) ? 'DRL-1.1' : 'DRL'
  return null
}

const storeName = (name: string): string =>
  name
    .replace(/\.(zip|ya?ml)$/i, '')
    .replace(/[^\w.-]/g, '_')
    .slice(0, 100) || 'rules'

/** The license file in `dir` or one of its parents, up to 5 up (SigmaHQ keeps it at the top). */
const folderLicense = async (dir: string): Promise<string | null> => {
  let here = dir
  for (let depth = 0; depth < 6; depth++) {
    try {
      for (const name of await readdir(here)) {
        if (!isLicenseFile(name)) continue
        const license = licenseOf(await readFile(join(here, name), 'utf8'))
        if (license) return license
      }
    } catch {
      return null
    }
    const up = dirname(here)
    if (up === here) break
    here = up
  }
  return null
}

const walk = async (root: string, dir: string, prefix: string, out: RuleTexts): Promise<void> => {
  const entries = await readdir(dir, { withFileTypes: true })
  entries.sort((a, b) => a.name.localeCompare(b.name))
  for (const entry of entries) {
    const full = join(dir, entry.name)
    if (entry.isDirectory()) await walk(root, full, prefix, out)
    else if (isRuleFile(entry.name)) {
      try {
        out.files.push({
          path: `${prefix}/${relative(root, full).replaceAll('\\', '/')}`,
          text: await readFile(full, 'utf8'),
        })
      } catch (error) {
        out.errors.push({ path: full, reason: (error as Error).message })
      }
    }
  }
}

const readZip = (data: Uint8Array, prefix: string, out: RuleTexts): void => {
  const members = unzipSync(data, { filter: (m) => isRuleFile(m.name) || isLicenseFile(m.name) })
  for (const name of Object.keys(members).sort()) {
    if (name.startsWith('__MACOSX/')) continue
    const text = strFromU8(members[name]!)
    if (isLicenseFile(name)) out.license ??= licenseOf(text)
    else out.files.push({ path: `${prefix}/${name}`, text })
  }
}

/**
 * Reads `path` (a folder, .zip or .yml); rule files land under `<name>/` in the store, `name`
 * defaulting to the folder's or archive's name. Never throws: unreadable paths are errors.
 */
export const readRuleTexts = async (path: string, name?: string): Promise<RuleTexts> => {
  const out: RuleTexts = { files: [], license: null, errors: [] }
  try {
    const info = await stat(path)
    const prefix = storeName(name ?? basename(path))
    if (info.isDirectory()) {
      await walk(path, path, prefix, out)
      out.license = await folderLicense(path)
    } else if (/\.zip$/i.test(name ?? path)) readZip(await readFile(path), prefix, out)
    else if (isRuleFile(name ?? path))
      out.files.push({
        path: `imported/${storeName(name ?? basename(path))}.yml`,
        text: await readFile(path, 'utf8'),
      })
    else out.errors.push({ path, reason: 'not a folder, .zip or .yml/.yaml file' })
    if (out.license === null && !info.isDirectory()) out.license = await folderLicense(dirname(path))
  } catch (error) {
    out.errors.push({ path, reason: (error as Error).message })
  }
  return out
}
