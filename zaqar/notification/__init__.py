"""Notification delivery: what is sent to subscribers, and how it is made
durable (see ``doc/notifications.rst``)."""
