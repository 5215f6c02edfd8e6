"""Relay-style connections: one generic page type (`XConnection`, `XEdge`) over any entity type.

A connection is built from a domain `ListPage` (or `SearchPage`) and a function that turns a
node's property dict into its GraphQL object, viewed on the page's `asOf`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Generic, TypeVar

import strawberry

from app.domain.listing import ListPage, Page

NodeT = TypeVar("NodeT")


@strawberry.type(description="Where a page lies in its list (Relay PageInfo).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="True when more rows follow the page's last one.")
    has_previous_page: bool = strawberry.field(description="True when rows precede the page's first one.")
    start_cursor: str | None = strawberry.field(description="Cursor of the page's first row; null when empty.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the page's last row (pass it as `after` for the next page); null when empty."
    )

    @classmethod
    def of(cls, page: Page[Any]) -> PageInfo:
        return cls(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.start_cursor,
            end_cursor=page.end_cursor,
        )


@strawberry.type(description="One row of a page: the node and the cursor pointing at it.")
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(description="Opaque position of this row; pass as `after` or `before`.")
    node: NodeT = strawberry.field(description="The node.")


@strawberry.type(description="One page of a list, Relay-style: the rows, where the page lies, and the list's size.")
class Connection(Generic[NodeT]):
    total_count: int = strawberry.field(description="Rows in the whole list (all pages) for this filter and date.")
    page_info: PageInfo = strawberry.field(description="Whether there are pages before and after this one.")
    edges: list[Edge[NodeT]] = strawberry.field(description="The page's rows with their cursors.")
    nodes: list[NodeT] = strawberry.field(description="The page's nodes, without cursors.")


def connection_of(page: ListPage, build: Callable[[Mapping[str, Any], date], NodeT]) -> Connection[NodeT]:
    """The connection for a domain page; `build(props, as_of)` makes each node (e.g. `Unit.of`)."""
    edges = [Edge(cursor=item.cursor, node=build(item.props, page.as_of)) for item in page.items]
    return Connection(
        total_count=page.total_count,
        page_info=PageInfo.of(page),
        edges=edges,
        nodes=[edge.node for edge in edges],
    )
