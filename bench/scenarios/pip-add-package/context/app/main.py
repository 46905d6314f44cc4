"""Inventory service: a small FastAPI application over an in-memory store."""

from __future__ import annotations

import os

import structlog
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from app.store import InventoryStore

log = structlog.get_logger()
app = FastAPI(title="inventory")
store = InventoryStore()


class Item(BaseModel):
    sku: str
    name: str
    quantity: int = 0


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/items/{sku}")
def read_item(sku: str) -> Item:
    item = store.get(sku)
    if item is None:
        raise HTTPException(status_code=404, detail=f"no item {sku}")
    return Item(**item)


@app.put("/items/{sku}")
def write_item(sku: str, item: Item) -> Item:
    store.put(sku, item.model_dump())
    log.info("item stored", sku=sku, quantity=item.quantity)
    return item


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="0.0.0.0", port=int(os.environ.get("PORT", "8000")))
