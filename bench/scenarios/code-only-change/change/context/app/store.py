"""In-memory item store with a change counter."""

from __future__ import annotations

from threading import Lock
from typing import Any


class InventoryStore:
    def __init__(self) -> None:
        self._items: dict[str, dict[str, Any]] = {}
        self._lock = Lock()
        self.changes = 0

    def get(self, sku: str) -> dict[str, Any] | None:
        with self._lock:
            item = self._items.get(sku)
            return dict(item) if item is not None else None

    def put(self, sku: str, item: dict[str, Any]) -> None:
        with self._lock:
            self._items[sku] = dict(item)
            self.changes += 1

    def remove(self, sku: str) -> bool:
        with self._lock:
            removed = self._items.pop(sku, None) is not None
            if removed:
                self.changes += 1
            return removed
