import { execFile, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import { unzipSync } from 'fflate'
import { AlertsRepo } from '../../store/sqlite/alerts-repo'
import { CasesRepo } from '../../store/sqlite/cases-repo'
import { readManifest } from '../../workspace/export/package'
import { loadStixSchemas, validateStixBundle } from '../../workspace/export/stix-validate'
import { OUTPOST_BIN } from '../serve-process'

// The built CLI (`npx electron-vite build`) as a real process: write a report, export it.
const STIX_SCHEMAS = fileURLToPath(new URL('../../../../shared/stix/schemas', import.meta.url))
const ATTACK = fileURLToPath(new URL('../../../../shared/attack/enterprise-attack-min.json', import.meta.url))
const outpost = (args: string[]) => spawnSync(process.execPath, [OUTPOST_BIN, ...args], { encoding: 'utf8' })

describe('outpost report create and outpost export report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-report-cli-'))
  const dataDir = join(dir, 'data')
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  let id = ''

  it('creates a report from a body file with observables and techniques, and prints its id', () => {
    expect(outpost(['attack', 'import', ATTACK, '--data-dir', dataDir]).status).toBe(0)
    writeFileSync(
      join(dir, 'body.md'),
      '# Findings\n\nA web shell ran `whoami`.\n\n<script>alert(1)</script>\n',
    )
    const created = outpost([
      'report',
      'create',
      '--title',
      'Web shell on web-1',
      '--body-file',
      join(dir, 'body.md'),
      '--tlp',
      'amber+strict',
      '--observable',
      'ipv4:203.0.113.9',
      '--observable',
      'domain:evil.example',
      '--observable',
      `sha256:${'ab'.repeat(32)}`,
      '--observable',
      'url:http://evil.example/shell.php?c=whoami',
      '--technique',
      't1505.003',
      '--technique',
      'T1033',
      '--data-dir',
      dataDir,
    ])
    expect(created.stderr).toBe('')
    expect(created.status).toBe(0)
    id = created.stdout.trim()
    expect(id).toMatch(/^report--[0-9a-f-]{36}$/)
  })

  it('refuses bad input with what is wrong', () => {
    const bad = outpost([
      'report',
      'create',
      '--title',
      'x',
      '--observable',
      'md5:xyz',
      '--data-dir',
      dataDir,
    ])
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/--observable md5:xyz: /)
    expect(outpost(['report', 'create', '--data-dir', dataDir]).stderr).toMatch(/--title/)
    expect(
      outpost([
        'export',
        'report',
        'report--nope',
        '--format',
        'md',
        '--out',
        join(dir, 'x'),
        '--data-dir',
        dataDir,
      ]).status,
    ).toBe(1)
  })

  it('exports a STIX 2.1 bundle the OASIS schemas accept, with ATT&CK names from the imported set', () => {
    const out = join(dir, 'report.stix.json')
    const result = outpost(['export', 'report', id, '--format', 'stix', '--out', out, '--data-dir', dataDir])
    expect(result.status).toBe(0)
    expect(result.stdout).toMatch(/sha256 [0-9a-f]{64}/)
    const bundle = JSON.parse(readFileSync(out, 'utf8')) as {
      type: string
      objects: Array<Record<string, unknown>>
    }
    expect(validateStixBundle(bundle, loadStixSchemas(STIX_SCHEMAS))).toEqual({ valid: true, errors: [] })
    const types = bundle.objects.map((o) => o.type)
    for (const type of [
      'report',
      'identity',
      'indicator',
      'attack-pattern',
      'marking-definition',
      'ipv4-addr',
    ])
      expect(types).toContain(type)
    const names = bundle.objects.filter((o) => o.type === 'attack-pattern').map((o) => o.name)
    expect(names).toContain('System Owner/User Discovery')
  })

  it('exports self-contained HTML (script escaped) and a PDF whose text has the title', async () => {
    const html = join(dir, 'report.html')
    expect(
      outpost(['export', 'report', id, '--format', 'html', '--out', html, '--data-dir', dataDir]).status,
    ).toBe(0)
    const page = readFileSync(html, 'utf8')
    expect(page).toContain('Web shell on web-1')
    expect(page).not.toContain('<script>alert(1)</script>')
    expect(page).not.toMatch(/(src|href)="https?:/)
    const pdf = join(dir, 'report.pdf')
    const printed = outpost(['export', 'report', id, '--format', 'pdf', '--out', pdf, '--data-dir', dataDir])
    expect(printed.stderr).toBe('')
    expect(readFileSync(pdf).subarray(0, 5).toString()).toBe('%PDF-')
    const { stdout } = await promisify(execFile)('pdftotext', [pdf, '-'])
    expect(stdout).toContain('Web shell on web-1')
    expect(stdout).toMatch(/TLP:AMBER\+STRICT/)
  }, 60_000)

  it('exports an incident with its timeline, and the package with its evidence', () => {
    const db = new Database(join(dataDir, 'outpost.sqlite'))
    const alerts = new AlertsRepo(db)
    const raised = alerts.raise(
      {
        origin: 'sigma',
        rule_id: 'r-1',
        rule_key: 'r-1',
        title: 'Web shell command',
        level: 'high',
        tags: ['attack.t1505.003'],
        techniques: ['T1505.003'],
        tactics: ['persistence'],
        author: 'Outpost tests',
        license: null,
        host: 'web-1',
        user: null,
        ts: Date.parse('2026-11-21T10:00:00Z'),
        event_ids: ['e-1'],
        group: null,
        dedup_key: 'r-1|web-1',
      },
      0,
      null,
    )
    const { incident } = alerts.escalate([raised.id], { title: 'Web shell on web-1' })
    // Evidence as incidents:attach leaves it: a row, and the bytes under their digest.
    const shell = Buffer.from('<?php system($_GET["c"]); ?>\n')
    const sha256 = createHash('sha256').update(shell).digest('hex')
    mkdirSync(join(dataDir, 'evidence'), { recursive: true })
    writeFileSync(join(dataDir, 'evidence', sha256), shell)
    new CasesRepo(db, alerts).attach(incident.id, {
      name: 'shell.php',
      media_type: 'application/octet-stream',
      size: shell.length,
      sha256,
      note: null,
      actor: 'tests',
    })
    db.close()
    const out = join(dir, 'incident.md')
    const result = outpost([
      'export',
      'incident',
      incident.id,
      '--format',
      'md',
      '--out',
      out,
      '--data-dir',
      dataDir,
    ])
    expect(result.stderr).toBe('')
    const text = readFileSync(out, 'utf8')
    expect(text).toContain('Web shell on web-1')
    expect(text).toContain('high alert: Web shell command on web-1')
    expect(text).toContain('T1505.003')
    expect(text).toContain(sha256)
    const zip = join(dir, 'incident.zip')
    const packed = outpost([
      'export',
      'incident',
      incident.id,
      '--format',
      'package',
      '--out',
      zip,
      '--data-dir',
      dataDir,
    ])
    expect(packed.stderr).toBe('')
    const entries = unzipSync(readFileSync(zip))
    expect(readManifest(entries['manifest.json']!).evidence).toEqual([
      { name: 'shell.php', path: 'evidence/shell.php', sha256, size: shell.length, verified: true },
    ])
    expect(Buffer.from(entries['evidence/shell.php']!)).toEqual(shell)
    expect(
      outpost(['export', 'incident', 'nope', '--format', 'md', '--out', out, '--data-dir', dataDir]).status,
    ).toBe(1)
  })

  it('records the creation and each export in an intact audit log', () => {
    const list = JSON.parse(outpost(['audit', 'list', '--json', '--data-dir', dataDir]).stdout) as {
      entries: Array<{ action: string; object_id: string; details: { format?: string } }>
    }
    expect(list.entries.filter((e) => e.object_id === id).map((e) => [e.action, e.details.format])).toEqual([
      ['export', 'pdf'],
      ['export', 'html'],
      ['export', 'stix'],
      ['create', undefined],
    ])
    expect(outpost(['audit', 'verify', '--data-dir', dataDir]).stdout).toMatch(/^intact/)
  })
})
