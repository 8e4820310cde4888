"""The public views, one module per part of the site; factsheets/urls.py routes to them.

What they show is worked out elsewhere: the lists in factsheets/listings.py, the
assistance totals in factsheets/assistance.py, the search in factsheets/search.py.
"""
