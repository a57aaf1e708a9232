"""The one place that chains the steps and does their I/O."""
