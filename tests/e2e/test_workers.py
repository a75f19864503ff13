"""`verifier worker` processes on a real PostgreSQL queue: a killed worker loses no job and
duplicates no verification, and several workers share one queue without double claims."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest
from sqlalchemy import Engine, create_engine, func, select

from adapters.mock import SCENARIOS
from schemas.request import VerificationRequestSchema
from tests.e2e.running import request_for
from tests.integration.conftest import POSTGRES_URL_VARIABLE, postgres_schema
from verifier.app import create_app
from verifier.intake import to_request
from verifier.settings import Settings
from verifier.store.migrate import upgrade
from verifier.store.tables import jobs, verifications

pytestmark = [pytest.mark.postgres, pytest.mark.e2e]

VERIFIER = str(Path(sys.executable).with_name("verifier"))
LEASE_SECONDS = 2
STOPPED = re.compile(r"stopped after (\d+) jobs")


@dataclass
class Queue:
    url: str
    engine: Engine
    services: Any


@pytest.fixture
def queue() -> Iterator[Queue]:
    """A migrated throwaway PostgreSQL schema, with the app's services to enqueue jobs."""
    base = os.environ.get(POSTGRES_URL_VARIABLE)
    if not base:
        pytest.skip(f"{POSTGRES_URL_VARIABLE} is not set")
    for url in postgres_schema(base):
        upgrade(url)
        services = create_app({"DATABASE_URL": url}).extensions["verifier"]
        engine = create_engine(url)
        try:
            yield Queue(url, engine, services)
        finally:
            engine.dispose()
            services.close()


def member_ids(count: int) -> list[str]:
    """Distinct member ids: every mock scenario once, then unknown members (not found)."""
    known = list(SCENARIOS)
    return (known + [f"LOAD-{i:06d}" for i in range(count)])[:count]


def enqueue(queue: Queue, count: int) -> None:
    schema = VerificationRequestSchema()
    for member_id in member_ids(count):
        body = request_for(member_id)
        request = to_request(schema.load(body), Settings())
        queue.services.service.enqueue(request, body, source="reverify")


def job_states(queue: Queue) -> dict[str, int]:
    with queue.engine.connect() as connection:
        rows = connection.execute(select(jobs.c.state, func.count()).group_by(jobs.c.state))
        return {str(state): int(n) for state, n in rows}


def start_worker(queue: Queue, log: IO[bytes], *arguments: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "VERIFIER_DATABASE_URL": queue.url,
        "VERIFIER_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    command = [VERIFIER, "worker", "--poll-seconds", "0.05", *arguments]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)


def wait_all(processes: list[subprocess.Popen[bytes]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pytest.fail(f"worker pid {process.pid} did not exit within {timeout:g} s")


def kill_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def assert_each_job_done_once(queue: Queue, count: int) -> list[int]:
    """Every job done, one complete verification per job and no other row; returns attempts."""
    with queue.engine.connect() as connection:
        rows = connection.execute(
            select(jobs.c.state, jobs.c.attempts, verifications.c.state).join(
                verifications, verifications.c.id == jobs.c.verification_id, isouter=True
            )
        ).all()
        total = connection.execute(select(func.count()).select_from(verifications)).scalar_one()
        members = connection.execute(
            select(func.count(func.distinct(verifications.c.member_id)))
        ).scalar_one()
    assert len(rows) == count
    assert {job_state for job_state, _, _ in rows} == {"done"}
    assert {record_state for _, _, record_state in rows} == {"complete"}
    assert total == members == count
    return [attempts for _, attempts, _ in rows]


def test_a_killed_worker_loses_no_job_and_duplicates_no_verification(
    queue: Queue, tmp_path: Path
) -> None:
    count = 200
    enqueue(queue, count)
    assert job_states(queue) == {"queued": count}
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with (tmp_path / "first.log").open("wb") as log:
            first = start_worker(queue, log, "--concurrency", "4")
            processes.append(first)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                done = job_states(queue).get("done", 0)
                if done >= count // 4:
                    break
                assert first.poll() is None, (tmp_path / "first.log").read_text()
                time.sleep(0.02)
            else:
                pytest.fail(f"the worker did not get going: {job_states(queue)}")
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        at_kill = job_states(queue)
        assert 0 < at_kill.get("done", 0) < count, at_kill
        # Only once the dead worker's leases have expired may another worker take them over.
        time.sleep(LEASE_SECONDS + 0.5)
        with (tmp_path / "second.log").open("wb") as log:
            second = start_worker(queue, log, "--concurrency", "4", "--until-idle")
            processes.append(second)
            wait_all([second], timeout=60)
        assert second.returncode == 0, (tmp_path / "second.log").read_text()
    finally:
        kill_all(processes)
    attempts = assert_each_job_done_once(queue, count)
    # The jobs the killed worker held were run again; none ran more than twice.
    assert set(attempts) <= {1, 2}
    assert attempts.count(2) <= at_kill.get("running", 0)


def test_workers_share_the_queue_without_double_claims(queue: Queue, tmp_path: Path) -> None:
    count, workers = 1000, 4
    enqueue(queue, count)
    assert job_states(queue) == {"queued": count}
    logs = [tmp_path / f"worker-{i}.log" for i in range(workers)]
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for path in logs:
            with path.open("wb") as log:
                processes.append(start_worker(queue, log, "--concurrency", "2", "--until-idle"))
        wait_all(processes, timeout=120)
    finally:
        kill_all(processes)
    outputs = [path.read_text() for path in logs]
    assert [process.returncode for process in processes] == [0] * workers, outputs
    attempts = assert_each_job_done_once(queue, count)
    assert set(attempts) == {1}, "a job was claimed twice although no worker crashed"
    processed = []
    for output in outputs:
        found = STOPPED.search(output)
        assert found, output
        processed.append(int(found.group(1)))
    assert sum(processed) == count, processed
    assert sum(1 for n in processed if n > 0) >= 2, processed
