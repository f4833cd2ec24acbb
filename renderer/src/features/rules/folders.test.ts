import { describe, expect, it } from 'vitest'
import { folderTree, visibleFolders, withAncestors } from './folders'

describe('folder tree', () => {
  it('keeps the subtree counts the core gives, in reading order', () => {
    const tree = folderTree([
      { folder: 'sigma', rules: 15, enabled: 6 },
      { folder: 'sigma/linux', rules: 3, enabled: 0 },
      { folder: 'sigma/windows', rules: 12, enabled: 6 },
      { folder: 'sigma/windows/process_creation', rules: 10, enabled: 4 },
      { folder: 'user', rules: 1, enabled: 1 },
    ])
    expect(tree.map((n) => [n.folder, n.name, n.depth, n.rules, n.enabled])).toEqual([
      ['sigma', 'sigma', 0, 15, 6],
      ['sigma/linux', 'linux', 1, 3, 0],
      ['sigma/windows', 'windows', 1, 12, 6],
      ['sigma/windows/process_creation', 'process_creation', 2, 10, 4],
      ['user', 'user', 0, 1, 1],
    ])
  })

  it('adds parents the core does not list with their topmost listed descendants', () => {
    const tree = folderTree([
      { folder: 'a/b', rules: 5, enabled: 1 },
      { folder: 'a/b/c', rules: 2, enabled: 1 },
      { folder: 'a/d/e', rules: 3, enabled: 3 },
    ])
    expect(tree.map((n) => [n.folder, n.rules, n.enabled])).toEqual([
      ['a', 8, 4],
      ['a/b', 5, 1],
      ['a/b/c', 2, 1],
      ['a/d', 3, 3],
      ['a/d/e', 3, 3],
    ])
  })

  it('draws only the children of expanded folders, and knows which have children', () => {
    const tree = folderTree([
      { folder: 'rules', rules: 3, enabled: 3 },
      { folder: 'rules/windows', rules: 2, enabled: 2 },
      { folder: 'rules/windows/process_creation', rules: 1, enabled: 1 },
      { folder: 'rules/linux', rules: 1, enabled: 1 },
      { folder: 'user', rules: 1, enabled: 1 },
    ])
    const shown = (expanded: string[]) =>
      visibleFolders(tree, new Set(expanded)).map(
        (n) => `${n.folder}${n.hasChildren ? (n.expanded ? '-' : '+') : ''}`,
      )
    expect(shown([])).toEqual(['rules+', 'user'])
    expect(shown(['rules'])).toEqual(['rules-', 'rules/linux', 'rules/windows+', 'user'])
    expect(shown(['rules/windows'])).toEqual(['rules+', 'user']) // its parent is closed
    expect(shown(withAncestors('rules/windows/process_creation'))).toEqual([
      'rules-',
      'rules/linux',
      'rules/windows-',
      'rules/windows/process_creation',
      'user',
    ])
  })
})
