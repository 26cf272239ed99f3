"""aiwatch: a news-and-policy knowledge tracker for AI distillation disputes and AI chip export controls."""

__version__ = "0.1.0"
