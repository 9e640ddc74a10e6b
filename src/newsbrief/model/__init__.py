"""Model calls: endpoints, the embedded llama.cpp server, transport retries, prompts.

Knows nothing of briefs: it sends messages and returns validated answers.
"""
