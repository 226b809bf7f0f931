"""The gateway's channels; what the messenger platforms' senders share."""

from __future__ import annotations

from typing import Any, Dict, Optional

import aiohttp

PLATFORM_TIMEOUT = aiohttp.ClientTimeout(total=15)


async def post_to_platform(session: aiohttp.ClientSession, platform: str, url: str, body: Dict[str, Any],
                           params: Optional[Dict[str, str]] = None) -> None:
    """POSTs one outbound message; a refusal raises, so the desk logs it."""
    async with session.post(url, json=body, params=params, timeout=PLATFORM_TIMEOUT) as response:
        if response.status >= 300:
            raise RuntimeError(f"{platform} answered HTTP {response.status}: {(await response.text())[:200]}")
