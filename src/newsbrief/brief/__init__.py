"""One article to one grounded Brief: policy, drafts, grounding, chunked map/reduce."""
