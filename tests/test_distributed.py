"""Distributed runs: 2 CPU processes over gloo, a plain DDP loop and Lightning's strategy="ddp"."""

import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import trainzip  # noqa: F401  (first: sets MKL's reproducibility mode before torch loads)
import pytest

from trainzip import PrequentialMeter
from trainzip.errors import ResumeError
from trainzip.integrations import is_lightning_available, is_transformers_available

WORKER = Path(__file__).with_name("distributed_worker.py")
pytestmark = pytest.mark.usefixtures("one_torch_thread")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_ranks(mode: str, out: Path, world: int = 2) -> None:
    """Start `world` worker processes on 127.0.0.1 and wait for them."""
    port = free_port()
    processes = []
    for rank in range(world):
        env = dict(os.environ, RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world), NODE_RANK="0",
                   MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), OMP_NUM_THREADS="1", PYTHONWARNINGS="ignore")
        processes.append(subprocess.Popen([sys.executable, str(WORKER), mode, str(out)], env=env,
                                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
    for process in processes:
        output, _ = process.communicate(timeout=240)
        assert process.returncode == 0, output.decode()[-3000:]


@pytest.fixture(scope="module")
def two_ranks(tmp_path_factory):
    """Every run (the plain loop, then Lightning and the Trainer where installed) in one pair of gloo processes."""
    out = tmp_path_factory.mktemp("ranks")
    run_ranks("all", out)
    return out


def rank_results(out: Path, mode: str) -> list[dict]:
    return [json.loads((out / f"{mode}.rank{rank}.json").read_text()) for rank in range(2)]


def worker_module():
    spec = importlib.util.spec_from_file_location("distributed_worker", WORKER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_two_rank_ddp_record_sums_both_ranks_and_matches_one_process(two_ranks, tmp_path, monkeypatch):
    """Under DDP the record's samples and bits are the sums of both ranks' own, equal (to 1e-9) to one
    process coding the same batches in the same order; only rank 0 writes; the world size is recorded;
    a checkpointed and resumed meter ends with the uninterrupted totals; a sample metered on both
    ranks is refused; a 2-rank state does not load into one process."""
    ranks = rank_results(two_ranks, "meter")
    record = json.loads((two_ranks / "run.json").read_text())
    assert record["world_size"] == 2 and ranks[0]["world_size"] == 2
    assert [rank["wrote"] for rank in ranks] == [True, False]
    both = [rank["local"] for rank in ranks]
    assert record["totals"]["samples"] == both[0]["samples"] + both[1]["samples"] == 256
    assert record["totals"]["bits"] == pytest.approx(both[0]["bits"] + both[1]["bits"], rel=1e-12)
    assert both[0]["bits"] != pytest.approx(both[1]["bits"], rel=1e-3)  # two different shards
    assert ranks[1]["totals"] == ranks[0]["totals"]  # every rank reads the run's figures
    assert record["indices_metered"] == 256

    monkeypatch.setenv("DATA_RANKS", "2")  # one process, both ranks' rows in each step
    single = worker_module().meter_run(0, 1, tmp_path)
    assert single["totals"]["samples"] == 256
    assert record["totals"]["bits"] == pytest.approx(single["totals"]["bits"], rel=1e-9)
    assert ranks[0]["steps"] == pytest.approx(single["steps"], rel=1e-9)

    for rank in ranks:
        assert rank["resumed"]["bits"] == pytest.approx(rank["totals"]["bits"], rel=1e-12)
        assert rank["resumed"]["samples"] == rank["totals"]["samples"]
        assert rank["resumed_steps"] == pytest.approx(rank["steps"], rel=1e-12)
        assert "already metered" in rank["repeat_refused"] and "drop_last" in rank["repeat_refused"]
    with pytest.raises(ResumeError, match="2 rank"):
        PrequentialMeter().load_state_dict(ranks[0]["state"])


@pytest.mark.skipif(not is_lightning_available(), reason="lightning is not installed")
def test_lightning_ddp_callback_records_the_sum_over_ranks(two_ranks):
    """Lightning's callback under strategy="ddp" (2 gloo processes) writes one record, from rank 0,
    with both ranks' samples and bits summed, and the world size."""
    ranks = rank_results(two_ranks, "lightning")
    record = json.loads((two_ranks / "lightning.json").read_text())
    both = [rank["local"] for rank in ranks]
    assert record["world_size"] == 2
    assert record["totals"]["samples"] == both[0]["samples"] + both[1]["samples"] == 256
    assert record["totals"]["bits"] == pytest.approx(both[0]["bits"] + both[1]["bits"], rel=1e-12)
    assert len(record["steps"]) == 256 // 16


@pytest.mark.skipif(not is_transformers_available(), reason="transformers is not installed")
def test_trainer_callback_under_ddp_sums_over_ranks(two_ranks):
    """The Hugging Face Trainer on 2 gloo ranks: one record, from rank 0, with both ranks' tokens and
    bits; the figures added to the Trainer's log history are the run's, the same on both ranks."""
    ranks = rank_results(two_ranks, "trainer")
    record = json.loads((two_ranks / "trainer.json").read_text())
    both = [rank["local"] for rank in ranks]
    assert record["world_size"] == 2 and record["symbol"] == "token"
    assert record["totals"]["samples"] == both[0]["samples"] + both[1]["samples"] == 64 * 15
    assert record["totals"]["bits"] == pytest.approx(both[0]["bits"] + both[1]["bits"], rel=1e-12)
    assert ranks[0]["logged_kbits"] == ranks[1]["logged_kbits"]
    assert ranks[0]["logged_kbits"][-1] == pytest.approx(record["totals"]["bits"] / 1000)
