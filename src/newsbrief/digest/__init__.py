"""Many articles to one Digest: batching, the cache, figure comparison, synthesis, cost.

Does not render: see newsbrief.render.
"""
