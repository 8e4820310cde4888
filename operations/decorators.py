"""Marks views put on themselves for the site-wide middleware."""


def accepts_import_upload(allowed):
    """The view takes a file up to IMPORT_MAX_BYTES, from users for whom
    `allowed(user)` is true; others keep the staff's limit for a form.

    RequestSizeMiddleware reads the mark before the body is read, so the view says
    what it accepts and the middleware needs to know nothing of the content app.
    A mark on a method is seen through the admin's `admin_view()` wrapper, which
    copies the view's attributes."""

    def mark(view):
        view.accepts_import_upload = allowed
        return view

    return mark
