"""A local Ray head for the tests, on 127.0.0.1, owned by this process and stopped when stdin closes.

    python -m tests.ray_head TEMP_DIR

Prints the cluster's address on one line, then waits. A head started by `ray.init` here is stopped
by `ray.shutdown` here, so the tests never run `ray stop` (which would stop every Ray on the
machine, other people's too).
"""

import sys

import ray


def main(temp_dir: str) -> None:
    context = ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", _temp_dir=temp_dir,
                       object_store_memory=200 * 1024 * 1024, log_to_driver=False, logging_level="ERROR")
    print(context.address_info["gcs_address"], flush=True)
    sys.stdin.read()
    ray.shutdown()


if __name__ == "__main__":
    main(sys.argv[1])
