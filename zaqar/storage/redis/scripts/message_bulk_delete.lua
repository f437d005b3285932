-- Delete listed messages, all or nothing. ARGV[3] number n of message
-- ids, ARGV[4] '1' when claims are checked, then the n ids, then the
-- claim ids. With checks, every live listed message must be under a live
-- claim among those given. Returns {0} done, {4, id} when id is not
-- claimed, {2, id} when another claim holds it.
local k = queue_keys(BASE)
local n = tonumber(ARGV[3])
local ids = {}
for i = 1, n do
  ids[i] = ARGV[4 + i]
end
if ARGV[4] == '1' then
  local allowed = {}
  for i = 5 + n, #ARGV do
    allowed[ARGV[i]] = true
  end
  for _, id in ipairs(ids) do
    local st = get_state(k, id)
    if st and st[EXPIRES] > NOW then
      if not is_claimed(st) then
        return {4, id}
      end
      if not allowed[st[CLAIM]] then
        return {2, id}
      end
    end
  end
end
for _, id in ipairs(ids) do
  remove_message(k, id)
end
keep_places(k)
return {0}
