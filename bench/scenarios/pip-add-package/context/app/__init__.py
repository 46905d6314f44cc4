"""Inventory service used by the benchmark's pip scenarios."""
