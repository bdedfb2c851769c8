"""Helpers shared by the live benchmarks (hook-latency.py, live-bench.py), imported from the
scripts directory."""
import math
import os
import time


def wait_for(predicate, timeout, step=0.05):
    """Polls `predicate` every `step` s until it holds (True) or `timeout` s pass (False)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


def write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def percentile(ordered, p):
    """The nearest-rank `p`th percentile of the sorted, non-empty list `ordered`."""
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]
