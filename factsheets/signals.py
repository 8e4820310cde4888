"""What other apps may follow of a sheet's life, without the content app knowing them.

Each signal is sent inside the transaction that makes the change: a receiver that
writes (an outbox row, a check to run) commits or rolls back with it. Work that
takes time is for the worker: receivers enqueue it on commit, never do it here.
"""

from django.dispatch import Signal

# A step of the sheet's review or publication was recorded: `step` is the
# factsheets.ReviewStep just saved (its factsheet, action, by, at, message,
# overridden, and the submission it answers). Sent by sheet_operations only, once
# per step; a went-live or expired step by the worker, with `by` None.
review_step = Signal()

# A major change was made to a live sheet in place and told to readers: `note` is the
# factsheets.ChangeNote just saved. Sent by sheet_operations only, once per note.
major_change = Signal()

# Asked before a sheet is published or scheduled, and by the change form to warn
# its publisher: each receiver returns a list of problems it finds with `factsheet`
# as it is now, each a sentence for the publisher (“The related link ‘Embassy’
# failed its last check: 404.”). Publishing goes ahead unless the publisher chose
# to hold the sheet back for any (sheet_operations.publish's hold_if_problems).
checks_before_publishing = Signal()
