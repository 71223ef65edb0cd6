"""The browser side of Ottenok: the sandbox chat (a channel like WhatsApp, for trying Alina
without credentials) and the manager console (conversations, orders, the funnel).

Pages read the database through `queries` (a read model on its own read-only connection) and
act only through the engine's manager actions and the outgoing router, so nothing here owns a
dialogue rule or writes a conversation.
"""
