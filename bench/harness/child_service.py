"""Starting and stopping the benchmark's loopback servers (forward proxy, npm registry) as children.

Input: a name, the command (run from `bench/`, so `python3 -m harness.<module>` works), the port it
listens on, and a log path under bench/work/. Output: a server that answers on 127.0.0.1:port while
the `with ChildService(...)` block lasts.
Invariants: refuses a port that already answers; stops only the process it started, by its handle.
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

from harness.config import BENCH_DIRECTORY


class ChildServiceError(Exception):
    """The service's port is taken, or the service did not come up."""


def port_answers(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class ChildService:
    def __init__(self, name: str, command: list[str], port: int, log_path: Path) -> None:
        self.name = name
        self.command = command
        self.port = port
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> ChildService:
        if port_answers(self.port):
            raise ChildServiceError(
                f"{self.name}: port {self.port} is already in use; stop what listens there"
            )
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log_file = self.log_path.open("w")
        self.process = subprocess.Popen(
            self.command,
            cwd=BENCH_DIRECTORY,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        log_file.close()
        deadline = time.monotonic() + 30
        while not port_answers(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise ChildServiceError(f"{self.name} did not come up; see {self.log_path}")
            time.sleep(0.1)
        return self

    def __exit__(self, *exception) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
