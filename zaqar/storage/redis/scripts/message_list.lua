-- A page of live messages in FIFO order, as flat {id, state, body, ...}.
-- ARGV[3] marker id (of a live message, or of one removed while older
-- ones live; '' or unknown: from the head), ARGV[4] limit,
-- ARGV[5] client id whose messages are skipped ('' to skip none),
-- ARGV[6] include claimed ('1'/'0'), ARGV[7] include delayed.
-- The walk starts at the right index (:all, :unclaimed or :free), so
-- claimed or delayed messages are never scanned past unless echo
-- filtering is asked for.
local k = queue_keys(BASE)
if redis.call('EXISTS', BASE) == 0 then
  return {}
end
normalize(k)
local limit = tonumber(ARGV[4])
local client = ARGV[5]
local include_claimed = ARGV[6] == '1'
local include_delayed = ARGV[7] == '1'
local source = k.free
if include_claimed then
  source = k.all
elseif include_delayed then
  source = k.unclaimed
end
local after = '-inf'
if ARGV[3] ~= '' then
  local seq = marker_seq(k, ARGV[3])
  if seq then
    after = '(' .. seq
  end
end
local out, found = {}, 0
while found < limit do
  local page = redis.call('ZRANGEBYSCORE', source, after, '+inf',
                          'WITHSCORES', 'LIMIT', 0, limit)
  for i = 1, #page, 2 do
    local id = page[i]
    after = '(' .. page[i + 1]
    local st, raw = get_state(k, id)
    if st and (client == '' or st[CLIENT] ~= client)
        and (include_delayed or st[DELAY] <= NOW) then
      out[#out + 1] = id
      out[#out + 1] = raw
      out[#out + 1] = redis.call('HGET', k.bodies, id)
      found = found + 1
      if found == limit then
        break
      end
    end
  end
  if #page < 2 * limit then
    break
  end
end
return out
