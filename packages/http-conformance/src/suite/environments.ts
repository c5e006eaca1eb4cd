import type * as oauth from 'oauth4webapi'
import { afterAll, beforeAll } from 'vitest'
import type { AdapterHarness } from '../harness/adapter-harness.js'
import { discover } from '../support/oauth-client.js'
import type { StorageUnderTest } from '../support/storage-under-test.js'
import { startEnvironment, type TestEnvironment } from '../support/test-environment.js'

/** An environment and its metadata as the oauth4webapi client discovered it. */
export interface Target {
  readonly env: TestEnvironment
  readonly as: oauth.AuthorizationServer
}

/** The file's two servers: opaque access tokens (the default) and JWT access tokens. */
export interface Targets {
  readonly opaque: Target
  readonly jwt: Target
}

/** Starts both servers for the file (in `beforeAll`) and stops them afterwards. */
export function useTargets(harness: AdapterHarness, storage: StorageUnderTest): () => Targets {
  let targets: Targets | null = null
  beforeAll(async () => {
    const [opaque, jwt] = await Promise.all([
      startEnvironment(harness, storage, 'opaque'),
      startEnvironment(harness, storage, 'jwt'),
    ])
    targets = {
      opaque: { env: opaque, as: await discover(opaque) },
      jwt: { env: jwt, as: await discover(jwt) },
    }
  })
  afterAll(async () => {
    if (targets === null) return
    await Promise.all([targets.opaque.env.close(), targets.jwt.env.close()])
    targets = null
  })
  return () => {
    if (targets === null) throw new Error('The servers run only while the tests of this file run')
    return targets
  }
}
