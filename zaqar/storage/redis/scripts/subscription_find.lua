-- The live subscription of subscriber ARGV[3]: {id, fields...} or nil.
local sid = redis.call('HGET', BASE .. ':subscribers', ARGV[3])
if not sid then
  return false
end
local rec = sub_record(sid)
if not rec then
  return false
end
table.insert(rec, 1, sid)
return rec
