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

export type VisibleFolder = FolderNode & { hasChildren: boolean; expanded: boolean }

/** The nodes to draw: those whose every ancestor is expanded (a SigmaHQ release has ~300 folders). */
export const visibleFolders = (
  tree: readonly FolderNode[],
  expanded: ReadonlySet<string>,
): VisibleFolder[] => {
  const out: VisibleFolder[] = []
  tree.forEach((node, i) => {
    const parts = node.folder.split('/')
    for (let depth = 1; depth < parts.length; depth++) {
      if (!expanded.has(parts.slice(0, depth).join('/'))) return
    }
    const next = tree[i + 1]
    out.push({
      ...node,
      hasChildren: next !== undefined && next.folder.startsWith(node.folder + '/'),
      expanded: expanded.has(node.folder),
    })
  })
  return out
}

/** A folder and its ancestors, so choosing one deep down keeps it in view. */
export const withAncestors = (folder: string): string[] => {
  const parts = folder.split('/')
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'))
}
