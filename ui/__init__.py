"""Streamlit pages and their shared helpers; all domain work happens in `pipeline`."""
