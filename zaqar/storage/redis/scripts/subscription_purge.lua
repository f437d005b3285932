-- Delete every subscription of a queue.
for _, sid in ipairs(redis.call('ZRANGE', BASE .. ':ids', 0, -1)) do
  redis.call('DEL', sub_key(sid))
end
redis.call('DEL', BASE .. ':ids', BASE .. ':subscribers')
redis.call('SREM', REGISTRY, BASE)
return 0
