// CPU time of the local database server, for the benches' "CPU µs per operation": the sum of user
// and system time of every process with one of the given names, read from /proc (Linux), with the
// time of their children that have ended (PostgreSQL runs a process per connection: when one ends,
// its time moves to the postmaster's children's time, so a pool closing idle connections does not
// make the sum go back). Where /proc cannot be read, the figure is 0 and only this process's CPU
// counts.
import { readdirSync, readFileSync } from 'node:fs'

/** The database servers the benches run against, by process name. */
export const DATABASE_PROCESSES = ['postgres', 'mariadbd', 'mysqld']

/** Microseconds of CPU the processes named `names` have used so far. */
export function processCpuMicros(names = DATABASE_PROCESSES) {
  const wanted = new Set(names)
  let ticks = 0
  let pids = []
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))
  } catch {
    return 0
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      if (!wanted.has(stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')))) continue
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      // utime, stime, and cutime, cstime: the ended children's, once reaped.
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])
    } catch {
      // The process ended meanwhile.
    }
  }
  // Linux reports these in clock ticks of 1/100 s.
  return ticks * 10_000
}
