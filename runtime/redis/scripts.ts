/**
 * The server-side scripts of the Redis store: one script per atomic step
 * (STYLE.md §5, after Envoy's rate limiter), each touching keys of one slot.
 *
 * In: nothing. Out: Lua source texts, registered by `connection.ts` with
 * ioredis `defineCommand` (EVALSHA, falling back to EVAL when the server has
 * not cached the script, e.g. after a restart).
 * Times and amounts arrive as decimal strings and numbers go back as
 * strings: Redis turns a Lua number reply into an integer by truncation,
 * and prints numbers it stores with 14 digits unless told otherwise, so
 * every number written is formatted `%.17g` (exact for a double).
 * Must not read the server's clock (`TIME`): expiry is judged by the
 * caller's clock, as the memory store does, so every store agrees on it.
 */

/**
 * THE cap rule, in one place (issue 13 / the hardening issue, class E): an
 * op with a cap fails when the counter is already at or over its cap, or
 * when adding `amount` would pass it. Ops that give back (`amount < 0`)
 * never fail. The rule before the hardening, kept by the memory store until
 * that branch lands, was `amount > 0 and used + amount > cap`.
 */
export const OVER_CAP_LUA = `
local function over_cap(used, amount, cap)
  return amount >= 0 and (used >= cap or used + amount > cap)
end`;

/**
 * The current value of a stored payload (`<expiresAt>|…` / `<expiresAt>!…`,
 * see keys.ts): the part from the marker on, or "" when absent or expired.
 * A payload that is not ours is an error, never a value.
 */
const LIVE_LUA = `
local function live(raw, now, key)
  if not raw then return "" end
  local at = string.find(raw, "[|!]")
  if not at then return redis.error_reply("agp: the value at " .. key .. " is not an agp value") end
  local head = string.sub(raw, 1, at - 1)
  if head ~= "" and tonumber(head) <= now then return "" end
  return string.sub(raw, at)
end`;

/**
 * compareAndSet. KEYS: the value, and for a grouped family its index.
 * ARGV: now, expected ("" = absent), value ("" = delete), expiresAt ("" =
 * never), physical TTL in ms ("" = none), the index member, the index
 * score. Returns 1 when set, 0 when the value was not `expected`.
 */
export const COMPARE_AND_SET_LUA = `${LIVE_LUA}
local now = tonumber(ARGV[1])
local current = live(redis.call("GET", KEYS[1]), now, KEYS[1])
if type(current) == "table" then return current end
if current ~= ARGV[2] then return 0 end
if ARGV[3] == "" then
  redis.call("DEL", KEYS[1])
  if KEYS[2] then redis.call("ZREM", KEYS[2], ARGV[6]) end
else
  if ARGV[5] == "" then
    redis.call("SET", KEYS[1], ARGV[4] .. ARGV[3])
  else
    redis.call("SET", KEYS[1], ARGV[4] .. ARGV[3], "PX", ARGV[5])
  end
  if KEYS[2] then redis.call("ZADD", KEYS[2], ARGV[7], ARGV[6]) end
end
if KEYS[2] then redis.call("ZREMRANGEBYSCORE", KEYS[2], "-inf", ARGV[1]) end
return 1`;

/**
 * list, for a grouped family. KEYS: the family's index. ARGV: now, the
 * family's value-key head, the escaped key prefix to match. Drops index
 * entries that expired, then returns [member, payload, member, payload, …].
 */
export const LIST_LUA = `
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", ARGV[1])
local out = {}
for _, member in ipairs(redis.call("ZRANGE", KEYS[1], 0, -1)) do
  if string.sub(member, 1, #ARGV[3]) == ARGV[3] then
    local raw = redis.call("GET", ARGV[2] .. member)
    if raw then
      out[#out + 1] = member
      out[#out + 1] = raw
    end
  end
end
return out`;

/**
 * charge: every op or none, mirroring `applyOp` in store-memory.ts.
 * KEYS: one counter per op (repeats allowed). ARGV: now, TTL slack in ms,
 * then per op: window, amount, cap ("" = none), exact ("1"/"0"), expiresAt.
 * Returns {"1", used…} (strings) or {"0", index (0-based), used}.
 */
export const CHARGE_LUA = `${OVER_CAP_LUA}
local now = tonumber(ARGV[1])
local slack = tonumber(ARGV[2])
local function fmt(n) return string.format("%.17g", n) end
local stored = {}
local pending = {}
local function current(key)
  if pending[key] ~= nil then return pending[key] end
  if stored[key] == nil then
    local v = redis.call("HMGET", key, "w", "u", "x")
    if v[1] then stored[key] = { w = tonumber(v[1]), u = tonumber(v[2]), x = tonumber(v[3]) } else stored[key] = false end
  end
  local s = stored[key]
  if s and s.x > now then return { w = s.w, u = s.u } end
  stored[key] = false -- expired: forgotten, as the memory store forgets it
  return false
end
local after = {}
for i, key in ipairs(KEYS) do
  local b = 2 + (i - 1) * 5
  local window, amount, cap, exact = tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2]), ARGV[b + 3], ARGV[b + 4] == "1"
  local cur = current(key)
  local next
  if exact then
    if not cur or cur.w ~= window then
      next = cur or { w = window, u = 0 }
    else
      next = { w = cur.w, u = math.max(0, cur.u + amount) }
    end
  else
    local w = window
    if cur and cur.w > window then w = cur.w end
    local used = 0
    if cur and cur.w >= w then used = cur.u end
    if cap ~= "" and over_cap(used, amount, tonumber(cap)) then
      return { "0", tostring(i - 1), fmt(used) }
    end
    next = { w = w, u = math.max(0, used + amount) }
  end
  pending[key] = next
  after[i] = next
end
local reply = { "1" }
for i, key in ipairs(KEYS) do
  local b = 2 + (i - 1) * 5
  local next = after[i]
  local expires = tonumber(ARGV[b + 5])
  local s = stored[key]
  if s and s.w == next.w and s.x > expires then expires = s.x end
  stored[key] = { w = next.w, u = next.u, x = expires }
  redis.call("HSET", key, "w", fmt(next.w), "u", fmt(next.u), "x", fmt(expires))
  redis.call("PEXPIRE", key, math.max(1, math.ceil(expires - now)) + slack)
  reply[#reply + 1] = fmt(next.u)
end
return reply`;

/**
 * The shared audit chain's atomic append. KEYS: head (hash: `hash`,
 * `line`), log (stream). ARGV: the head the writer linked to, GENESIS, the
 * new head, then the lines. Appends only when the head is still the one
 * given: returns {"1"}; else {"0", the current last line or ""}.
 */
export const AUDIT_APPEND_LUA = `
local head = redis.call("HGET", KEYS[1], "hash") or ARGV[2]
if head ~= ARGV[1] then
  return { "0", redis.call("HGET", KEYS[1], "line") or "" }
end
for i = 4, #ARGV do
  redis.call("XADD", KEYS[2], "*", "l", ARGV[i])
end
redis.call("HSET", KEYS[1], "hash", ARGV[3], "line", ARGV[#ARGV])
return { "1" }`;
