"""Prompt templates as text files (package data); `pipeline.prompts` loads them and hashes them into versions."""
