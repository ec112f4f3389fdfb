"""Collection: quoteattr/serve.py (its doctests) needs the serve extra; without it, skip it."""

import importlib.util

collect_ignore = [] if all(importlib.util.find_spec(m) for m in ("fastapi", "uvicorn")) else ["quoteattr/serve.py"]
