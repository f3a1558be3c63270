"""Jobs as tasks on a Ray cluster (an optional extra: ``pip install 'trainzip[ray]'``).

Each job is a pure function of its arguments (a block's bytes and the recorded settings), so Ray
may run a task again when its worker dies: the retry computes the same bytes, and a lost worker
costs time, never data. Results come back in the jobs' order, at most a window of tasks in flight
(twice the cluster's CPUs), so memory stays bounded on both sides. Progress is reported per
finished job. The workers need trainzip and the same numerics (a block the network codes checks
its worker's fingerprint against the recorded one).
"""

from __future__ import annotations

from trainzip.engine.base import JobFunction, WindowedExecutor
from trainzip.errors import TrainzipError

TASK_RETRIES = 5  # how often Ray reruns a task whose worker died


def ray_available() -> bool:
    """Whether Ray can be imported here."""
    try:
        import ray  # noqa: F401
    except ImportError:
        return False
    return True


def trainzip_job(fn: JobFunction, job):
    """A Ray task: fn(job) on a worker (its progress is not reported back)."""
    return fn(job, None)


class RayExecutor(WindowedExecutor):
    """Sends every job to the Ray cluster at ``address`` ('auto': the one this machine belongs to)."""

    inline_single_job = False  # the cluster was asked for: even one job goes there

    def __init__(self, address: str):
        if not ray_available():
            raise TrainzipError("--ray needs Ray, which is not installed: pip install 'trainzip[ray]'")
        import ray

        self._ray = ray
        self._owns_connection = not ray.is_initialized()
        try:
            if self._owns_connection:
                ray.init(address=address, log_to_driver=False, logging_level="ERROR", include_dashboard=False)
        except (ConnectionError, ValueError, RuntimeError) as error:
            raise TrainzipError(f"cannot reach the Ray cluster at {address!r}: {error}") from None
        self.workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self._task = ray.remote(num_cpus=1, max_retries=TASK_RETRIES, retry_exceptions=False)(trainzip_job)

    def _submit(self, fn: JobFunction, index: int, job):
        return self._task.remote(fn, job)

    def _wait(self, handle, timeout_s: float):
        ready, _ = self._ray.wait([handle], timeout=timeout_s)
        if not ready:
            return False, None
        try:
            return True, self._ray.get(handle)
        except self._ray.exceptions.RayTaskError as error:
            cause = getattr(error, "cause", None)
            if isinstance(cause, TrainzipError):
                raise cause from None
            raise TrainzipError(f"a Ray task failed: {cause or error}") from None
        except self._ray.exceptions.RayError as error:
            raise TrainzipError(f"a Ray task was lost after {TASK_RETRIES} retries: {error}") from None

    def _abort(self) -> None:
        self.close()

    def close(self) -> None:
        if self._owns_connection and self._ray.is_initialized():
            self._ray.shutdown()
