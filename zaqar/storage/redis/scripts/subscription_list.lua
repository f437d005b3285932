-- Live subscriptions after ARGV[3] (an id; '' or unknown: from the
-- start), ordered by id, at most ARGV[4]: {{id, fields...}, ...} with
-- fields in SUB_FIELDS order. Expired entries met on the way are dropped.
local ids = BASE .. ':ids'
local start = '-'
if ARGV[3] ~= '' and redis.call('ZSCORE', ids, ARGV[3]) then
  start = '(' .. ARGV[3]
end
local limit = tonumber(ARGV[4])
local out = {}
while #out < limit do
  local page = redis.call('ZRANGEBYLEX', ids, start, '+', 'LIMIT', 0, limit)
  for _, sid in ipairs(page) do
    start = '(' .. sid
    local rec = sub_record(sid)
    if rec then
      table.insert(rec, 1, sid)
      out[#out + 1] = rec
      if #out == limit then
        break
      end
    else
      drop_subscription(sid)
    end
  end
  if #page < limit then
    break
  end
end
return out
