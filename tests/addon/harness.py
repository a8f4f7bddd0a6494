"""mitmproxy's own test harness, on the running event loop."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator, Callable
from typing import Any

from mitmproxy.test import taddons


@contextlib.asynccontextmanager
async def harness(*addons: Any) -> AsyncIterator[taddons.context]:
    """mitmproxy's test context on the running loop, its log handler removed afterwards."""
    context = taddons.context(*addons)
    try:
        yield context
    finally:
        context.master._legacy_log_events.uninstall()


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


async def hook(method: Callable[..., Any], *args: Any) -> None:
    """Call an addon's hook as mitmproxy does: it awaits what the hook returns, if anything."""
    result = method(*args)
    if inspect.isawaitable(result):
        await result
