// The command line of `pnpm soak -- …`, checked up front: a typo should cost a second, not a
// ten-minute run with the wrong settings.

export const USAGE = `usage: pnpm soak -- [--duration <seconds>] [--users <n>] [--think-ms <ms>] [--json <file>]

  --duration <seconds>  how long the workload runs, at least 20 (default 600)
  --users <n>           concurrent virtual users, each with its own account and session (default 8)
  --think-ms <ms>       pause of each virtual user between two journeys (default 0: flat out)
  --json <file>         also write every number (and the per-second samples) to this file

  SP_OAUTH_TEST_PG_URL  the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/test)`

/**
 * @typedef {object} SoakOptions
 * @property {number} durationSeconds
 * @property {number} users
 * @property {number} thinkMs
 * @property {string | null} jsonFile
 * @property {string} databaseUrl
 */

/**
 * The options, or the list of what is wrong with them.
 * @param {readonly string[]} argv the arguments after the script's name
 * @param {NodeJS.ProcessEnv} env
 * @returns {{ options: SoakOptions, problems: [] } | { options: null, problems: string[] }}
 */
export function parseOptions(argv, env) {
  /** @type {string[]} */
  const problems = []
  const values = new Map()
  // `pnpm soak -- --duration 60` hands the script a literal `--` first.
  const args = argv[0] === '--' ? argv.slice(1) : argv
  for (let index = 0; index < args.length; index++) {
    const arg = /** @type {string} */ (args[index])
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined]
    if (!['--duration', '--users', '--think-ms', '--json'].includes(/** @type {string} */ (name))) {
      problems.push(`unknown argument "${arg}"`)
      continue
    }
    const value = inline ?? args[++index]
    if (value === undefined || value === '') problems.push(`${name} needs a value`)
    else values.set(name, value)
  }
  const durationSeconds = wholeNumber(values.get('--duration') ?? '600', '--duration', 20, problems)
  const users = wholeNumber(values.get('--users') ?? '8', '--users', 1, problems)
  const thinkMs = wholeNumber(values.get('--think-ms') ?? '0', '--think-ms', 0, problems)
  if (problems.length > 0) return { options: null, problems }
  return {
    options: {
      durationSeconds,
      users,
      thinkMs,
      jsonFile: values.get('--json') ?? null,
      databaseUrl: env.SP_OAUTH_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test',
    },
    problems: [],
  }
}

/**
 * @param {string} text @param {string} name @param {number} minimum @param {string[]} problems
 */
function wholeNumber(text, name, minimum, problems) {
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < minimum) {
    problems.push(`${name}: a whole number of at least ${minimum}, got "${text}"`)
  }
  return value
}
