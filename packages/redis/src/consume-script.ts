import { createHash } from 'node:crypto'
import type { RateLimitAttempt } from '@sp-oauth/core'

/** Values each attempt adds to the script's ARGV, after the shared `now`. */
export const ARGS_PER_ATTEMPT = 9

/**
 * The rules of `RateLimiter.consume` (as `@sp-oauth/core` decides them in memory) in one Lua
 * script, so a request's attempts are read, decided and written in one atomic step and one round
 * trip. Times are whole microseconds of the application's clock, passed in, never Redis's: every
 * instance and the in-memory limiter then share one arithmetic, and tests can move the clock.
 *
 * KEYS: one per attempt. ARGV[1]: now. Then per attempt: cost, limit, windowSeconds, outcome (0
 * none, 1 success, 2 failure), lockout (0 or 1), failureCost, failuresBeforeLockout,
 * lockoutSeconds, maxLockoutSeconds. Each key is a hash: f (bucket full again at), n (failures in
 * a row), l (locked until), g (failures forgotten at).
 *
 * Returns { allowed (0 or 1), retryAfterSeconds, remaining, failures }. Numbers stay exact: times
 * are whole microseconds below 2^53, which Redis writes from Lua with all their digits.
 */
export const CONSUME_SCRIPT = `
local now = tonumber(ARGV[1])
local MICRO = 1000000
local function seconds(us) local s = math.ceil(us / MICRO) if s < 1 then s = 1 end return s end
local allowed, retry = 1, 0
local leftNow, failuresNow, leftAfter, failuresAfter = math.huge, 0, math.huge, 0
local writes = {}
for i = 1, #KEYS do
  local a = 1 + (i - 1) * ${ARGS_PER_ATTEMPT}
  local cost, limit, window = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
  local outcome, lockout = tonumber(ARGV[a + 4]), ARGV[a + 5] == '1'
  local failureCost, before = tonumber(ARGV[a + 6]), tonumber(ARGV[a + 7])
  local lockoutSeconds, maxLockout = tonumber(ARGV[a + 8]), tonumber(ARGV[a + 9])
  local state = redis.call('HMGET', KEYS[i], 'f', 'n', 'l', 'g')
  local fullAt = tonumber(state[1]) or 0
  local failures = tonumber(state[2]) or 0
  local lockedUntil = tonumber(state[3]) or 0
  local forgetAt = tonumber(state[4]) or 0
  if failures > 0 and now >= forgetAt then failures, lockedUntil, forgetAt = 0, 0, 0 end
  local windowUs = window * MICRO
  local interval = math.floor(windowUs / limit)
  local function left(spentUntil)
    local units = math.floor((windowUs - (spentUntil - now)) / interval)
    if units < 0 then return 0 end
    return units
  end
  local counted = 0
  if lockout then counted = failures end
  if counted > failuresNow then failuresNow = counted end
  if lockout and lockedUntil > now then
    allowed = 0
    retry = math.max(retry, seconds(lockedUntil - now))
    leftNow = 0
  else
    local start = math.max(fullAt, now)
    local over = start + cost * interval - now - windowUs
    leftNow = math.min(leftNow, left(start))
    if over > 0 then
      allowed = 0
      retry = math.max(retry, seconds(over))
    else
      local charge = cost
      if lockout and outcome == 2 then
        charge = failureCost
        failures = failures + 1
        if failures >= before then
          local doublings = math.min(failures - before, 40)
          lockedUntil = now + math.min(maxLockout, lockoutSeconds * 2 ^ doublings) * MICRO
        end
        forgetAt = math.max(lockedUntil, now) + maxLockout * MICRO
      elseif lockout and outcome == 1 then
        failures, lockedUntil, forgetAt = 0, 0, 0
      end
      local nextFullAt = start + charge * interval
      leftAfter = math.min(leftAfter, left(nextFullAt))
      if lockout and failures > failuresAfter then failuresAfter = failures end
      writes[i] = { nextFullAt, failures, lockedUntil, forgetAt }
    end
  end
end
if allowed == 0 then return { 0, retry, leftNow, failuresNow } end
for i = 1, #KEYS do
  local s = writes[i]
  local expiresAt = s[1]
  if s[2] > 0 and s[4] > expiresAt then expiresAt = s[4] end
  if expiresAt > now then
    redis.call('HSET', KEYS[i], 'f', s[1], 'n', s[2], 'l', s[3], 'g', s[4])
    -- Only to free memory: the stored times decide. A second more than needed, never less.
    redis.call('PEXPIRE', KEYS[i], math.ceil((expiresAt - now) / 1000) + 1000)
  else
    redis.call('DEL', KEYS[i])
  end
end
return { 1, 0, leftAfter, failuresAfter }
`

/** The script's SHA-1, for `EVALSHA`. */
export const CONSUME_SCRIPT_SHA = createHash('sha1').update(CONSUME_SCRIPT).digest('hex')

/** An attempt's {@link ARGS_PER_ATTEMPT} values for the script's ARGV, in the script's order. */
export function scriptArguments(attempt: RateLimitAttempt): string[] {
  const { rule, cost = 1, outcome, lockout } = attempt
  return [
    String(cost),
    String(rule.limit),
    String(rule.windowSeconds),
    outcome === 'failure' ? '2' : outcome === 'success' ? '1' : '0',
    lockout ? '1' : '0',
    String(lockout?.failureCost ?? 0),
    String(lockout?.failuresBeforeLockout ?? 1),
    String(lockout?.lockoutSeconds ?? 1),
    String(lockout?.maxLockoutSeconds ?? 1),
  ]
}
