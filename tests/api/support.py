"""Talking to the real app over HTTP in tests (served by `app.api.serving.serving`)."""

from __future__ import annotations

from typing import Any

import httpx

from app.api.serving import serving

__all__ = ["data", "error_codes", "gql", "serving"]


def gql(base_url: str, query: str, *, headers: dict[str, str] | None = None, **variables: Any) -> dict[str, Any]:
    """POST one GraphQL operation; asserts the HTTP status is 200 and returns the body."""
    response = httpx.post(
        f"{base_url}/graphql", json={"query": query, "variables": variables}, headers=headers or {}, timeout=60
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def data(body: dict[str, Any]) -> dict[str, Any]:
    """The body's data, after asserting there were no errors."""
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]
    return result


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in body.get("errors", [])]
