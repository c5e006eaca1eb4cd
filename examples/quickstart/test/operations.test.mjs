// What an operator relies on: a slow client cannot hold a connection, and stopping the server
// under load loses no request it had taken.
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bannerValue, startInProcess, temporaryDir } from './helpers.mjs'

describe('the quickstart in operation', () => {
  const data = temporaryDir()
  /** @type {Awaited<ReturnType<typeof startInProcess>>} */
  let started
  beforeAll(async () => {
    started = await startInProcess({ dataDir: data.dir, requestTimeoutMs: 1_500 })
  })
  afterAll(async () => {
    await started?.quickstart.close()
    data.remove()
  })

  it('cuts off a request whose body trickles in (408, connection closed) before the body is whole', async () => {
    const outcome = await new Promise((resolve) => {
      const socket = connect(started.quickstart.port, '127.0.0.1')
      let answer = ''
      let sent = 0
      const declared = 10_000
      socket.on('connect', () => {
        socket.write(
          `POST /oauth/token HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: ${declared}\r\n\r\n`,
        )
        // One byte every 100 ms: the whole body would take over 16 minutes.
        const drip = setInterval(() => {
          if (socket.destroyed || sent >= declared) return clearInterval(drip)
          socket.write('a')
          sent += 1
        }, 100)
        socket.on('close', () => clearInterval(drip))
      })
      socket.on('data', (chunk) => {
        answer += chunk.toString('latin1')
      })
      socket.on('error', () => {})
      socket.on('close', () => resolve({ answer, sent, declared }))
    })
    expect(outcome.answer).toMatch(/^HTTP\/1\.1 408 /)
    expect(outcome.sent).toBeLessThan(outcome.declared)
  })

  it('stops under load without losing a request it had taken: each one received is answered whole', async () => {
    const { quickstart, lines } = started
    const clientId = bannerValue(lines, 'client id', 'ERP Connector')
    const secret = bannerValue(lines, 'client secret', 'ERP Connector')
    let received = 0
    let finished = 0
    let cutOff = 0
    quickstart.httpServer.on('request', (_req, res) => {
      received += 1
      res.on('finish', () => {
        finished += 1
      })
      res.on('close', () => {
        if (!res.writableFinished) cutOff += 1
      })
    })
    const request = () =>
      fetch(`${quickstart.url}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          connection: 'close',
        },
        body: 'grant_type=client_credentials&scope=invoices.read',
      }).then(async (response) => ({ status: response.status, body: await response.json() }))
    const requests = Array.from({ length: 40 }, request)
    // Stop once the server is busy: the first answers are out, others are in flight or queued.
    await Promise.race(requests)
    await quickstart.close()
    const outcomes = await Promise.allSettled(requests)
    const answered = outcomes
      .filter((outcome) => outcome.status === 'fulfilled')
      .map((outcome) => outcome.value)
    expect(cutOff).toBe(0)
    expect(finished).toBe(received)
    expect(answered).toHaveLength(received)
    for (const { status, body } of answered) {
      expect(status).toBe(200)
      expect(body.token_type).toBe('Bearer')
    }
    // The rest never reached the server: refused, not cut off half-way.
    for (const outcome of outcomes)
      if (outcome.status === 'rejected') expect(String(outcome.reason)).toMatch(/fetch failed/)
  })
})
