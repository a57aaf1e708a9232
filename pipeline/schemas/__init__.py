"""The shapes the service shows: pure pydantic models (no FastAPI), one per contract, used
alike by the REST API (``response_model``), ``callreview review --format json`` and the pages.
Field names here are ARCHITECTURE.md's contract: add fields, never rename them."""
