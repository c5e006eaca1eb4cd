import { afterEach, beforeEach } from 'vitest'
import { createOAuthFixture, type OAuthFixture } from './oauth-fixture.js'
import type { StartedTestApp } from './test-app.js'

/** What each test of an adapter gets: its own fixture, and its app closed after it. */
export interface AdapterTestContext {
  /** The current test's server and client, fresh for each test. */
  readonly fixture: OAuthFixture
  /** Closes `app` once the current test ends; returns it. */
  closeAfter(app: StartedTestApp): StartedTestApp
}

/** Registers, in the calling `describe`, the hooks behind an {@link AdapterTestContext}. */
export function useAdapterTestContext(): AdapterTestContext {
  let fixture: OAuthFixture | undefined
  let started: StartedTestApp[] = []
  beforeEach(async () => {
    fixture = await createOAuthFixture()
  })
  afterEach(async () => {
    const closing = started
    started = []
    await Promise.all(closing.map((app) => app.close()))
  })
  return {
    get fixture() {
      if (fixture === undefined) throw new Error('The fixture exists inside a test only.')
      return fixture
    },
    closeAfter: (app) => {
      started.push(app)
      return app
    },
  }
}
