"""Batch ``sync`` of line items, which live inside a parent record (a contract or a direct cost).

The matching is every sync call's (``erp.run_sync``): an item with an ``id`` updates that line, else one
whose ``origin_id`` a line in scope already holds, else a new line. The scope is what the endpoint names:
one contract's lines, or the lines of every live direct cost in a project. ``origin_id`` is unique per
object type, so inside that scope no second line may take an origin_id another line holds (409 entry).

Where the endpoint names the parent per item (``holder_key``, e.g. ``direct_cost_id``, "required when
creating a line item"), a new line goes to that parent and a matched line must belong to it: moving a line
to another parent is not published, so the simulator refuses it rather than guess.
"""

from __future__ import annotations

from collections.abc import Callable

from . import erp
from .context import Ctx, error


class LineScope:
    """The lines one sync call may match, and the parents that hold them."""

    def __init__(self, holders: list[dict], fields: set[str], holder_key: str | None = None):
        self.holders, self.fields, self.holder_key = holders, fields, holder_key

    def find(self, key: str, value) -> dict | None:
        """The first line in scope whose ``key`` equals ``value``."""
        for holder in self.holders:
            for line in holder.get("line_items", []):
                if line.get(key) == value:
                    return line
        return None

    def owner(self, line: dict) -> dict:
        """The parent record holding ``line``."""
        return next(h for h in self.holders if any(other is line for other in h.get("line_items", [])))

    def holder_for(self, update: dict) -> dict:
        """The parent a new line goes to: the one the item names, or the endpoint's only parent."""
        if self.holder_key is None:
            return self.holders[0]
        wanted = update.get(self.holder_key)
        holder = next((h for h in self.holders if wanted is not None and h["id"] == wanted), None)
        if holder is None:
            raise error(422, {self.holder_key: ["is invalid"]})
        return holder

    def check_owner(self, line: dict, update: dict) -> None:
        wanted = update.get(self.holder_key) if self.holder_key else None
        if wanted is not None and wanted != self.owner(line)["id"]:
            raise error(422, {self.holder_key: ["is invalid"]})

    def check_origin_id(self, line: dict | None, origin_id) -> None:
        if origin_id in (None, ""):
            return
        other = self.find("origin_id", origin_id)
        if other is not None and other is not line:
            raise error(409, {"origin_id": ["has already been taken"]})


def sync_lines(
    ctx: Ctx,
    updates,
    scope: LineScope,
    new_line: Callable[[dict], dict],
    render: Callable[[dict, dict], dict],
) -> dict:
    """Run a line-item sync call over ``scope``; ``new_line`` builds a stored line, ``render`` shows one."""

    def create(update: dict) -> dict:
        holder = scope.holder_for(update)
        line = new_line(update)
        holder.setdefault("line_items", []).append(line)
        holder["updated_at"] = ctx.now
        return line

    def update(line: dict, changes: dict) -> dict:
        scope.check_owner(line, changes)
        scope.check_origin_id(line, changes.get("origin_id"))
        line.update({k: v for k, v in changes.items() if k in scope.fields}, updated_at=ctx.now)
        scope.owner(line)["updated_at"] = ctx.now
        return line

    target = erp.SyncTarget(
        by_id=lambda line_id: scope.find("id", line_id),
        by_origin=lambda origin_id: scope.find("origin_id", origin_id),
        create=create,
        update=update,
        render=lambda line: render(line, scope.owner(line)),
    )
    return erp.run_sync(ctx, updates, target)
