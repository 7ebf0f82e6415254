"""The Messaging API client: proxies from the environment are still honoured, read once."""

from __future__ import annotations

import asyncio

from handlers.line.api import LineSender, make_api, proxy_from_environment
from tests.support.line_standin import LineStandin


def test_proxy_is_read_from_the_environment(monkeypatch):
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert proxy_from_environment("https://api.line.me") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.city.example:8080")
    assert proxy_from_environment("https://api.line.me") == "http://proxy.city.example:8080"
    assert proxy_from_environment("http://api.line.me") is None  # no HTTP_PROXY
    monkeypatch.setenv("NO_PROXY", ".line.me")
    assert proxy_from_environment("https://api.line.me") is None


def test_messages_go_through_the_proxy_the_environment_names(monkeypatch):
    """HTTP_PROXY points at the stand-in and the API host does not exist: the reply arrives only
    if the client really sends it through the proxy (absolute-form request to the proxy)."""
    standin = LineStandin(access_token="tok").start()
    try:
        for name in ("NO_PROXY", "no_proxy", "http_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", standin.url)

        async def send():
            client, api = await make_api("http://api.line.invalid", "tok")
            try:
                assert client.configuration.proxy == standin.url
                assert client.rest_client.pool_manager.trust_env is False  # no per-request lookups
                return await LineSender(api, timeout=5).reply("r" * 32, [{"type": "text", "text": "経由"}])
            finally:
                await client.close()

        result = asyncio.run(send())
        assert result.ok, result
        assert [d.messages[0]["text"] for d in standin.deliveries()] == ["経由"]
    finally:
        standin.stop()
