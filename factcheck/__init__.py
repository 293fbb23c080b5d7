"""The composition root: the only place that turns settings into concrete parts, and the entry points."""
