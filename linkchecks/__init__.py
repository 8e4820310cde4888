"""Checks of every link on the current sheets, in the background."""
