"""The bytes on the wake-up pipe from `kyodo serve` to its child `kyodo worker` (kept apart, with
no imports, so the CLI can name them without loading the worker)."""

WAKE_INBOX = b"i"  # an event was stored: process it
WAKE_OUTBOX = b"o"  # a message was queued (e.g. by a Slack click): deliver it
