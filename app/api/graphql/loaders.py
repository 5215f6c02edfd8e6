"""Per-request DataLoaders: one batched round trip per relationship hop level, never one per row.

Resolvers at one nesting level run in the same event-loop tick and each `load` a key; the loader
collects them and answers all with one `store.read` (through app/domain/catalogue.py) in a worker
thread, since the store is synchronous. Different hops of one level (say `children` and `tilbud`
of every unit) share that one read: `links` groups its keys by hop and sends one UNION query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from starlette.concurrency import run_in_threadpool
from strawberry.dataloader import DataLoader

from app.domain.catalogue import (
    Hop,
    LeaderLevel,
    Link,
    leader_paths,
    neighbours_many,
    nodes_by_uid,
)
from app.store.base import GraphStore, Row

LinkKey = tuple[Hop, str]
"""(hop, uid of the node it starts from)."""

LeaderKey = tuple[date, str]
"""(date, uid of the unit or administration)."""


class Loaders:
    """Every DataLoader of one request; built fresh per request so nothing is cached across requests."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.links: DataLoader[LinkKey, list[Link]] = DataLoader(load_fn=self._links)
        """A node's neighbours along one hop (relationship, direction, date)."""
        self.nodes: DataLoader[str, Row | None] = DataLoader(load_fn=self._nodes)
        """A node's properties by uid, whatever its label; None when there is none."""
        self.leaders: DataLoader[LeaderKey, list[LeaderLevel]] = DataLoader(load_fn=self._leaders)
        """A unit's path up on a date with the positions leading each level (leaders_of_unit_at_date)."""

    async def _links(self, keys: Sequence[LinkKey]) -> list[list[Link]]:
        by_hop: dict[Hop, list[str]] = defaultdict(list)
        for hop, uid in keys:
            by_hop[hop].append(uid)
        hops = list(by_hop)
        found = await run_in_threadpool(neighbours_many, self.store, [(hop, by_hop[hop]) for hop in hops])
        answers = dict(zip(hops, found, strict=True))
        return [answers[hop].get(uid, []) for hop, uid in keys]

    async def _nodes(self, keys: Sequence[str]) -> list[Row | None]:
        found = await run_in_threadpool(nodes_by_uid, self.store, keys)
        return [found.get(uid) for uid in keys]

    async def _leaders(self, keys: Sequence[LeaderKey]) -> list[list[LeaderLevel]]:
        by_date: dict[date, list[str]] = defaultdict(list)
        for on, uid in keys:
            by_date[on].append(uid)

        def read() -> dict[date, dict[str, list[LeaderLevel]]]:
            return {on: leader_paths(self.store, uids, on) for on, uids in by_date.items()}

        found = await run_in_threadpool(read)
        return [found[on].get(uid, []) for on, uid in keys]
