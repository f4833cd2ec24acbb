import type { RuleFolder } from '../../state/rules-slice'

export type FolderNode = RuleFolder & { name: string; depth: number }

/**
 * The flat folders of rules:list as a tree in reading order. Parents the core does not list
 * (folders holding only folders) are added with their subtree's counts, since choosing a
 * folder filters "this folder and below".
 */
export const folderTree = (folders: readonly RuleFolder[]): FolderNode[] => {
  const nodes = new Map<string, FolderNode>()
  for (const { folder, rules, enabled } of folders) {
    const parts = folder.split('/').filter(Boolean)
    for (let depth = 0; depth < parts.length; depth++) {
      const path = parts.slice(0, depth + 1).join('/')
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
