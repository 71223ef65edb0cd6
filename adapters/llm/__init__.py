"""The LLM path: typed slot filling and in-state phrasing over any OpenAI-compatible endpoint,
with the offline default behind every call (see docs/llm.md).

Modules: `client` (instructor over openai, budget, breaker, usage hooks), `breaker`, `turn`
(the per-turn budget and bill), `reading` (what the model may answer, checked against the
shop), `filler` (`LLMSlotFiller`), `phraser` (`LLMPhraser`), `facts` (catalog lines for
prompts and the guard), `usage` (accounting). Importing this package imports neither openai nor
instructor; `client` does.
"""
