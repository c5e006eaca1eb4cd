import { describe, expect, it } from 'vitest'
import { splitRequestTarget } from './http-request-of.js'

describe('splitRequestTarget', () => {
  it.each([
    ['/oauth/token', { path: '/oauth/token', query: '' }],
    ['/oauth/authorize?a=%20b&c', { path: '/oauth/authorize', query: 'a=%20b&c' }],
    ['/p?x=1?y=2', { path: '/p', query: 'x=1?y=2' }],
    ['http://127.0.0.1:3000/oauth/token', { path: '/oauth/token', query: '' }],
    ['HTTPS://id.example.com/oauth/authorize?x=1', { path: '/oauth/authorize', query: 'x=1' }],
    ['http://id.example.com', { path: '/', query: '' }],
    ['http://id.example.com?x=1', { path: '/', query: 'x=1' }],
  ])('%s → path and query as received', (url, expected) => {
    expect(splitRequestTarget(url)).toEqual(expected)
  })
})
