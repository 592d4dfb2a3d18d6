"""Limits of the offline sync API (issue "Offline entry": limits on batch size and body size)."""

# Mutations per push request; the phone sends its queue in batches of at most this many.
PUSH_MAX_MUTATIONS = 200
# Bytes of one push request body (photos travel separately, by hash).
PUSH_MAX_BYTES = 2 * 1024 * 1024
# Records per pull page.
PULL_PAGE_SIZE = 200
# How far back a first pull (no cursor) reaches for the user's own records, in days.
PULL_RECENT_DAYS = 120
# A device name as the user typed it.
DEVICE_NAME_MAX = 80
