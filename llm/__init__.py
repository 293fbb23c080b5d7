"""LLM access through LangChain: provider factory, structured JSON calls, disk cache."""
