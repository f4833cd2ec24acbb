import type { RuleFolder } from '../../state/rules-slice'

export type FolderNode = RuleFolder & { name: string; depth: number }

/**
 * The folders of rules:list as a tree in reading order. Each listed folder counts its whole
 * subtree ("this folder and below", as the filter works); a parent the core does not list is
 * added with the counts of its topmost listed descendants.
 */
export const folderTree = (folders: readonly RuleFolder[]): FolderNode[] => {
  const listed = new Map(folders.map((f) => [f.folder, f]))
  const nodes = new Map<string, FolderNode>()
  for (const { folder, rules, enabled } of folders) {
    const parts = folder.split('/').filter(Boolean)
    nodes.set(parts.join('/'), {
      folder: parts.join('/'),
      name: parts.at(-1) ?? folder,
      depth: parts.length - 1,
      rules,
      enabled,
    })
    // Walk up to the nearest listed ancestor, crediting the unlisted ones on the way.
    for (let depth = parts.length - 2; depth >= 0; depth--) {
      const path = parts.slice(0, depth + 1).join('/')
      if (listed.has(path)) break
      const node = nodes.get(path) ?? { folder: path, name: parts[depth]!, depth, rules: 0, enabled: 0 }
      node.rules += rules
      node.enabled += enabled
      nodes.set(path, node)
    }
  }
  return [...nodes.values()].sort((a, b) => {
    const pa = a.folder.split('/')
    const pb = b.folder.split('/')
    for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
      if (pa[i] !== pb[i]) return pa[i]!.localeCompare(pb[i]!)
    }
    return pa.length - pb.length
  })
}
