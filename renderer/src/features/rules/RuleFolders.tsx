import { useMemo, useState } from 'react'
import type { RuleFolder } from '../../state/rules-slice'
import { folderTree, visibleFolders, withAncestors } from './folders'

type Props = {
  folders: RuleFolder[]
  chosen: string | null
  onChoose: (folder: string | null) => void
}

/** The rule store's folders as a tree: choose one to list it and everything below it. */
export const RuleFolders = ({ folders, chosen, onChoose }: Props) => {
  const tree = useMemo(() => folderTree(folders), [folders])
  // Top-level folders start open, the rest closed; `flipped` holds what the analyst changed.
  // The chosen folder's ancestors are always open.
  const [flipped, setFlipped] = useState<ReadonlySet<string>>(() => new Set())
  const expanded = useMemo(() => {
    const all = new Set<string>()
    for (const node of tree) if ((node.depth === 0) !== flipped.has(node.folder)) all.add(node.folder)
    if (chosen) for (const f of withAncestors(chosen).slice(0, -1)) all.add(f)
    return all
  }, [tree, flipped, chosen])
  const toggle = (folder: string): void => {
    const next = new Set(flipped)
    if (next.has(folder)) next.delete(folder)
    else next.add(folder)
    setFlipped(next)
  }

  return (
    <nav className="folders" aria-label="Rule folders">
      <div className="folder-row">
        <button type="button" aria-pressed={chosen === null} onClick={() => onChoose(null)}>
          <span>All folders</span>
        </button>
      </div>
      {visibleFolders(tree, expanded).map((node) => (
        <div key={node.folder} className="folder-row" style={{ paddingLeft: node.depth * 12 }}>
          {node.hasChildren ? (
            <button
              type="button"
              className="folder-toggle"
              aria-expanded={node.expanded}
              aria-label={`${node.expanded ? 'Collapse' : 'Expand'} ${node.folder}`}
              onClick={() => toggle(node.folder)}
            >
              {node.expanded ? '▾' : '▸'}
            </button>
          ) : (
            <span className="folder-toggle" />
          )}
          <button
            type="button"
            aria-pressed={chosen === node.folder}
            title={node.folder}
            onClick={() => onChoose(node.folder)}
          >
            <span>{node.name}</span>
            <span className="muted mono">
              {node.enabled}/{node.rules}
            </span>
          </button>
        </div>
      ))}
    </nav>
  )
}
