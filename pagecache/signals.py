from django.dispatch import Signal

# Sent once a change has committed, with `tags` (a frozenset of the tags whose pages
# went stale, or None when every page did) and `using`: for whoever renders pages
# ahead of their readers.
pages_stale = Signal()
