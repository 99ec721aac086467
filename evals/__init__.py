"""The evaluation suite: datasets, metrics, the runner, the naive baseline and the report."""
