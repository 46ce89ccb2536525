"""Region-to-region traffic: signed requests, the peer API, the client that calls it."""
