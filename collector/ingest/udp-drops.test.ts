import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { kernelUdpDrops } from './udp-drops'

describe('kernelUdpDrops', () => {
  it('sums the drops column of the sockets bound to the port', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-udp-'))
    const header =
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n'
    writeFileSync(
      join(dir, 'udp'),
      header +
        '  1: 0100007F:15823 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1 2 0000000000000000 9\n' +
        '  2: 0100007F:158A 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 2 2 0000000000000000 17\n' +
        '  3: 00000000:158A 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 3 2 0000000000000000 4\n',
    )
    writeFileSync(join(dir, 'udp6'), header)
    expect(kernelUdpDrops(0x158a, [join(dir, 'udp'), join(dir, 'udp6')])).toBe(21)
    expect(kernelUdpDrops(0x158b, [join(dir, 'udp'), join(dir, 'udp6')])).toBe(0)
    expect(kernelUdpDrops(514, [join(dir, 'missing')])).toBeNull()
  })

  it('reads the real /proc on Linux', () => {
    if (process.platform !== 'linux') return
    expect(kernelUdpDrops(9)).toBeTypeOf('number')
  })
})
