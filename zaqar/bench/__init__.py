"""zaqar-bench: a load generator for any Zaqar v2 HTTP endpoint.

Producer, consumer, observer (and pinger) processes, each running worker
threads with keep-alive connections, report exact latency samples back to
the parent, which prints one table (or JSON) per operation.
"""
