"""The websocket transport: the v2 operations as named actions over one
persistent connection, plus pushed notifications for subscribed
connections (``doc/websocket.rst``)."""
