"""Matching throughput and memory on real Synthea bundles.

    python benchmarks/match_speed.py [--patients 50 1000] [--source ../shared/data/synthea]

The real bundles are copied under new ids (as import_speed.py does) and every
patient is matched against the four sample seed trials, parsed once. Reports
trial-patient pairs per second, the cost relative to just json-loading the
same files (goal <= 3x), errors (goal 0), and peak traced memory at each size
(it must stay flat: patients stream one at a time).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from import_speed import make_copies  # noqa: E402

from eligibility.api import iter_matches, load_rulesets  # noqa: E402
from eligibility.errors import InputError  # noqa: E402

TRIALS = [str(ROOT / "samples" / "trials" / name) for name in (
    "NCT02566655_medpath.txt", "NCT04501354_medpath.txt", "NCT01745783_page.txt", "NCT06949137_page.txt")]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, nargs="+", default=[50, 1000])
    parser.add_argument("--source", default=str(ROOT.parent / "shared" / "data" / "synthea"))
    args = parser.parse_args()
    source = Path(args.source)
    if not source.exists():
        print(f"no data at {source}; skipping")
        return 0
    rulesets = load_rulesets(TRIALS)
    as_of = date(2026, 1, 1)
    print("patients  pairs  json.load s  match s  pairs/s  x json.load  errors  peak MB")
    for n in args.patients:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            make_copies(source, folder, n)
            files = sorted(folder.rglob("*.json"))
            t0 = time.perf_counter()
            for f in files:
                with f.open("rb") as fh:
                    json.load(fh)
            json_s = time.perf_counter() - t0
            errors: list[InputError] = []
            t0 = time.perf_counter()
            pairs = sum(1 for _ in iter_matches(rulesets, [folder], as_of, on_error=errors.append))
            match_s = time.perf_counter() - t0
            tracemalloc.start()
            for _ in iter_matches(rulesets, [folder], as_of, on_error=errors.append):
                pass
            peak = tracemalloc.get_traced_memory()[1] / 1e6
            tracemalloc.stop()
            print(f"{n:8d} {pairs:6d} {json_s:12.2f} {match_s:8.2f} {pairs / match_s:8.0f} {match_s / json_s:12.2f} "
                  f"{len(errors):7d} {peak:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
