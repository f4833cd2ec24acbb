import { describe, expect, it } from 'vitest'
import { folderTree } from './folders'

describe('folder tree', () => {
  it('adds missing parents with their subtree counts, in reading order', () => {
    const tree = folderTree([
      { folder: 'sigma/windows/process_creation', rules: 10, enabled: 4 },
      { folder: 'user', rules: 1, enabled: 1 },
      { folder: 'sigma/linux', rules: 3, enabled: 0 },
      { folder: 'sigma/windows', rules: 2, enabled: 2 },
    ])
    expect(tree.map((n) => [n.folder, n.name, n.depth, n.rules, n.enabled])).toEqual([
      ['sigma', 'sigma', 0, 15, 6],
      ['sigma/linux', 'linux', 1, 3, 0],
      ['sigma/windows', 'windows', 1, 12, 6],
      ['sigma/windows/process_creation', 'process_creation', 2, 10, 4],
      ['user', 'user', 0, 1, 1],
    ])
  })
})
