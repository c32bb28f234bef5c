"""labgrade: grades network-programming submissions by running them against real sockets."""

from __future__ import annotations

__version__ = "0.1.0"
