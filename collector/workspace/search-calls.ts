/** search:global: the command palette's object search across the workspace and the rule book. */
import type { CallRes, ParsedReq, SearchHit } from '../contract'
import type { SearchRepo } from '../store/sqlite/search-repo'

export type SearchableRule = { key: string; title: string; level: string | null; tags: string[] }
export type SearchHandlers = {
  'search:global': (req: ParsedReq<'search:global'>) => CallRes<'search:global'>
}

export const ruleHits = (rules: readonly SearchableRule[], text: string, limit: number): SearchHit[] => {
  const needle = text.toLowerCase()
  return rules
    .filter(
      (r) =>
        r.title.toLowerCase().includes(needle) ||
        r.key.toLowerCase().includes(needle) ||
        r.tags.some((t) => t.toLowerCase().includes(needle)),
    )
    .slice(0, limit)
    .map((r) => ({
      kind: 'rule',
      id: r.key,
      title: r.title,
      detail: r.level,
      route: { view: 'rules', params: { key: r.key } },
    }))
}

export const searchHandlers = (repo: SearchRepo, rules: () => readonly SearchableRule[]): SearchHandlers => ({
  'search:global': (req) => ({
    hits: [...repo.search(req.text, req.limit), ...ruleHits(rules(), req.text, req.limit)],
  }),
})
