"""Pure text analysis: numbers, quote alignment, sentences, injected instructions.

Imports nothing of the model stack: grounding can be reasoned about, and tested, alone.
"""
