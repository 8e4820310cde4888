"""Editors' comments on an edition, optionally on one of its sections; never public."""
