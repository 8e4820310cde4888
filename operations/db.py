"""What the site does with the database when it fails, and for the long jobs an
operator runs on purpose."""

from django.db import DatabaseError, InterfaceError, OperationalError, connections

# Errors that mean the database cannot be reached or did not answer in time: refused
# or timed-out connections, a statement cancelled by statement_timeout, a connection
# closed under us. (On SQLite, also "database is locked" after its lock timeout.)
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def close_connections():
    """Closes every connection this thread opened: after a failure it may be broken
    or in the middle of a statement, and CONN_MAX_AGE would keep it for the next
    request. Closing sends no query, so it cannot wait on a hanging server."""
    for connection in connections.all(initialized_only=True):
        try:
            connection.close()
        except DatabaseError:
            pass


def without_statement_timeout(connection):
    """Let the current transaction's statements take as long as they need.

    DB_STATEMENT_TIMEOUT keeps pages from waiting on a hung database; reading or
    writing a whole catalogue (backup, restore, generate_catalogue) takes longer, and
    an operator runs it on purpose, as with `migrate`."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")
