"""How much a sheet may hold: what the admin lets an editor save, and so what an
import may write, for a draft that can be saved again as it stands."""

# Text without a length of its own in the database is still bounded in a form: far
# beyond any sheet (Mali's longest section is 3,800 characters of HTML), short of
# what would make a page unreadable or a save slow.
TEXT_MAX_LENGTH = 10_000
RICH_TEXT_MAX_LENGTH = 100_000
# Rows of each kind on one sheet; the form says so beyond it. The settings'
# DATA_UPLOAD_MAX_NUMBER_FIELDS lets a sheet with this many of every kind be sent.
MAX_ROWS = 100
# The rich text of a whole sheet (its notice and sections): what its change form can
# send back in one save within Django's 2.5 MB request body
# (DATA_UPLOAD_MAX_MEMORY_SIZE), even where every character takes 9 bytes as a
# browser sends it. Mali's sheet has 9,000.
SHEET_RICH_TEXT_MAX_LENGTH = 250_000
