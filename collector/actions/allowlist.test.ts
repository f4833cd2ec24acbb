import { describe, expect, it } from 'vitest'
import { urlAllowed } from './allowlist'

const ALLOW = ['http://127.0.0.1:5678/webhook/', 'https://soar.lan/hooks']

describe('the destination allowlist', () => {
  it.each([
    'http://127.0.0.1:5678/webhook/outpost',
    'http://127.0.0.1:5678/webhook/',
    'https://soar.lan/hooks',
    'https://soar.lan/hooks/alerts?x=1',
    'https://SOAR.lan:443/hooks/a',
  ])('takes %s', (url) => expect(urlAllowed(url, ALLOW)).toBe(true))

  it.each([
    'http://127.0.0.1:5678@evil.example/webhook/x',
    'http://user:pw@127.0.0.1:5678/webhook/x',
    'http://127.0.0.1:56789/webhook/x',
    'http://127.0.0.1:5678/webhooks-other',
    'http://127.0.0.1:5678/other',
    'https://127.0.0.1:5678/webhook/x',
    'https://soar.lan/hooksevil',
    'https://soar.lan.evil.example/hooks',
    'not a url',
  ])('refuses %s', (url) => expect(urlAllowed(url, ALLOW)).toBe(false))

  it('refuses everything while the list is empty', () => {
    expect(urlAllowed('http://127.0.0.1:5678/webhook/x', [])).toBe(false)
  })
})
