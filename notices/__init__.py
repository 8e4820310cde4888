"""Email notices to editors and publishers, sent by the worker from an outbox."""
