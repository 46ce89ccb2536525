"""Developer tools: the local multi-region cloud (`make cloud`)."""
