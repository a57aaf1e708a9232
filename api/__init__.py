"""FastAPI app (REST + pages), auth, and the `callreview` CLI."""
