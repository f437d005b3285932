-- Delete one message, respecting its claim. ARGV[3] message id, ARGV[4]
-- claim id ('' for none). Returns 0 done (or nothing to delete),
-- 1 claimed and no claim given, 2 claimed by another claim that exists,
-- 3 claimed and the given claim does not exist, 4 not claimed although
-- a claim was given.
local k = queue_keys(BASE)
local id, claim = ARGV[3], ARGV[4]
local st = get_state(k, id)
if not st then
  return 0
end
if st[EXPIRES] > NOW then
  if is_claimed(st) then
    if claim == '' then
      return 1
    end
    if st[CLAIM] ~= claim then
      local raw = redis.call('HGET', k.claims, claim)
      if raw and cmsgpack.unpack(raw)[C_EXPIRES] > NOW then
        return 2
      end
      return 3
    end
  elseif claim ~= '' then
    return 4
  end
end
remove_message(k, id, st[SEQ])
keep_places(k)
return 0
