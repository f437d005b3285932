-- Delete one subscription (unknown ids are fine). ARGV[3] id.
drop_subscription(ARGV[3])
if redis.call('EXISTS', BASE .. ':ids') == 0 then
  redis.call('DEL', BASE .. ':subscribers')
  redis.call('SREM', REGISTRY, BASE)
end
return 0
