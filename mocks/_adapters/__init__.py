"""Thin adapters over the core's handler: each translates a request, asks the handler, and
translates the answer back."""
