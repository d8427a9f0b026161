"""pinboard: a live workshop pinboard.

Importing the package stays light (no Flask, no sockets), so the command line can choose and
patch an async library before anything else is imported. The app factory is pinboard.app.
"""

from __future__ import annotations

from typing import Any


def create_app(*args: Any, **kwargs: Any) -> Any:
    from .app import create_app as factory

    return factory(*args, **kwargs)
