"""The composition root: settings, wiring, the command line and the service's start-up.

The only place that knows every adapter; the core (`ottenok/`) and the adapters never import
it.
"""
