"""The small shared base: settings, error types, logging."""
