import type { AuthorizationServer, SigningKeyInfo } from '@sp-oauth/core'
import type { Command } from 'commander'
import { fields, formatAge } from '../output.js'
import { type Execute, examples } from './command-support.js'

/** How many clients one `listClients` page asks for while counting. */
const COUNT_PAGE = 100

/** `status`: what an operator checks first; reports an empty database instead of failing on it. */
export function registerStatus(program: Command, execute: Execute): void {
  examples(
    program
      .command('status')
      .description(
        'the database (reachable), its migrations (pending ones listed), the active signing key (kid, algorithm, age) and the number of clients; reports an empty database rather than failing',
      )
      .action((_options: object, command: Command) =>
        execute(command, async (session) => {
          const database = await session.database({ checkMigrations: false })
          const pending = await database.storage.pendingMigrations()
          const applied = await database.appliedMigrations()
          const problems: string[] = []
          let signingKeys: SigningKeyReport | null = null
          let clients: { active: number; revoked: number } | null = null
          if (applied.length > 0) {
            const server = await session.server({ checkMigrations: false })
            signingKeys = await signingKeyReport(server).catch((error: unknown) => {
              problems.push(`signing keys: ${session.toCliError(error).message}`)
              return null
            })
            clients = await countClients(server).catch((error: unknown) => {
              problems.push(`clients: ${session.toCliError(error).message}`)
              return null
            })
          }
          session.out.document({
            database: { kind: database.location.kind, location: database.location.display, reachable: true },
            migrations: { applied: applied.length, pending, upToDate: pending.length === 0 },
            signingKeys,
            clients,
            problems,
          })
          const migrations =
            applied.length === 0
              ? `none applied, an empty database: run sp-oauth migrate up (${pending.length} pending)`
              : pending.length === 0
                ? `${applied.length} applied, up to date`
                : `${applied.length} applied, ${pending.length} pending (${pending.join(', ')}): run sp-oauth migrate up`
          session.out.line(
            fields([
              ['database', `${database.location.display}: reachable`],
              ['migrations', migrations],
              ['signing key', describeSigningKeys(signingKeys)],
              ['clients', clients === null ? '-' : `${clients.active} active, ${clients.revoked} revoked`],
            ]),
          )
          for (const problem of problems) session.out.line(`  problem: ${problem}`)
        }),
      ),
    ['sp-oauth status', 'sp-oauth status --json --database-url postgres://oauth@db:5432/oauth'],
  )
}

interface SigningKeyReport {
  readonly active: {
    readonly kid: string
    readonly algorithm: string
    readonly createdAt: string
    readonly ageSeconds: number
  } | null
  readonly previous: number
  readonly retired: number
  readonly compromised: number
}

async function signingKeyReport(server: AuthorizationServer): Promise<SigningKeyReport> {
  const keys = await server.listSigningKeys()
  const count = (state: SigningKeyInfo['state']): number => keys.filter((key) => key.state === state).length
  const active = keys.find((key) => key.state === 'active') ?? null
  return {
    active:
      active === null
        ? null
        : {
            kid: active.kid,
            algorithm: active.algorithm,
            createdAt: active.createdAt.toISOString(),
            ageSeconds: Math.max(0, Math.floor((Date.now() - active.createdAt.getTime()) / 1000)),
          },
    previous: count('previous'),
    retired: count('retired'),
    compromised: count('compromised'),
  }
}

function describeSigningKeys(report: SigningKeyReport | null): string {
  if (report === null) return '-'
  const others = `${report.previous} previous, ${report.retired} retired, ${report.compromised} compromised`
  if (report.active === null) {
    return `no active key yet (the first JWT access token creates one, or: sp-oauth keys rotate); ${others}`
  }
  const { kid, algorithm, ageSeconds } = report.active
  return `${kid} (${algorithm}), made ${formatAge(ageSeconds)} ago; ${others}`
}

async function countClients(server: AuthorizationServer): Promise<{ active: number; revoked: number }> {
  let active = 0
  let revoked = 0
  let cursor: string | null = null
  do {
    const page = await server.listClients({ includeRevoked: true, limit: COUNT_PAGE, cursor })
    for (const client of page.clients) {
      if (client.revokedAt === null) active++
      else revoked++
    }
    cursor = page.nextCursor
  } while (cursor !== null)
  return { active, revoked }
}
