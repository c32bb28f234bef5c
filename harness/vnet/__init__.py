"""The virtual network: rules chosen by the parent, the in-child shim, the event channel."""

from __future__ import annotations

from harness.vnet.channel import EventChannel
from harness.vnet.rules import VNet

__all__ = ["EventChannel", "VNet"]
