"""MongoDB storage: data plane (queues, messages, claims, subscriptions)
and control plane (pools, flavors, catalogue). See doc/storage-mongodb.rst.
"""
