"""Patient import throughput and memory on real Synthea bundles.

    python benchmarks/import_speed.py [--patients 50 1000] [--source ../shared/data/synthea]

The 50 bundles in ../shared/data/synthea are copied N/50 times into a
temporary folder, each copy under new patient ids, so N patients are read.
For each N it reports:

- `json.load`: seconds to just parse every file with the stdlib (the budget
  is import <= 3x this), and `orjson.loads` when orjson is installed;
- `import`: seconds for `iter_patients` to stream every Patient, patients/s,
  and the ratio to `json.load`;
- peak traced memory (tracemalloc, a separate pass) while streaming: it must
  stay flat from 50 to 1,000 patients.

`--stdlib` makes the importer use the json module even when orjson is
installed. Figures on the 2-CPU dev box (Python 3.11, orjson 3.8):

    patients  MB  json.load s  orjson s  import s  patients/s  x json  peak MB
          50  40         0.18      0.11      0.26         195    1.40      5.9
        1000 801         3.91      2.32      5.57         180    1.42      6.1
    --stdlib:
          50  40         0.21      0.13      0.38         133    1.82      7.0
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eligibility.patients.sources import iter_patients  # noqa: E402

try:
    import orjson
except ImportError:  # pragma: no cover
    orjson = None  # type: ignore[assignment]


def make_copies(source: Path, folder: Path, n: int) -> list[Path]:
    originals = sorted(source.glob("*.json"))
    if not originals:
        raise SystemExit(f"no bundles in {source}")
    raws = [(p.read_bytes(), json.loads(p.read_bytes())["entry"][0]["resource"]["id"]) for p in originals]
    written: list[Path] = []
    for i in range(n):
        raw, pid = raws[i % len(raws)]
        new_id = str(uuid.UUID(int=i + 1, version=4))
        data = raw if i < len(raws) else raw.replace(pid.encode(), new_id.encode())
        path = folder / f"{i:05d}.json"
        path.write_bytes(data)
        written.append(path)
    return written


def timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def run(source: Path, n: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = make_copies(source, folder, n)
        size = sum(p.stat().st_size for p in files)

        def stdlib() -> None:
            for p in files:
                with p.open("rb") as handle:
                    json.load(handle)

        def fast() -> None:
            for p in files:
                orjson.loads(p.read_bytes())

        count = 0

        def importer() -> None:
            nonlocal count
            count = sum(1 for _ in iter_patients([folder]))

        stdlib()  # warm the page cache
        t_json = min(timed(stdlib) for _ in range(2))
        t_orjson = min(timed(fast) for _ in range(2)) if orjson is not None else float("nan")
        t_import = min(timed(importer) for _ in range(2))
        assert count == n, (count, n)

        tracemalloc.start()
        for _ in iter_patients([folder]):
            pass
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {
        "patients": n,
        "mb": size / 1e6,
        "json": t_json,
        "orjson": t_orjson,
        "import": t_import,
        "per_s": n / t_import,
        "ratio": t_import / t_json,
        "peak_mb": peak / 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, nargs="+", default=[50, 1000])
    parser.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "data" / "synthea")
    parser.add_argument("--stdlib", action="store_true", help="import with the json module, not orjson")
    args = parser.parse_args()
    if args.stdlib:
        import eligibility.patients.fhir as fhir

        fhir.USE_ORJSON = False
    print(f"{'patients':>8} {'MB':>7} {'json.load s':>11} {'orjson s':>9} {'import s':>9} "
          f"{'patients/s':>10} {'x json':>7} {'peak MB':>8}")  # fmt: skip
    for n in args.patients:
        r = run(args.source, n)
        print(
            f"{r['patients']:>8} {r['mb']:>7.0f} {r['json']:>11.2f} {r['orjson']:>9.2f} {r['import']:>9.2f} "
            f"{r['per_s']:>10.0f} {r['ratio']:>7.2f} {r['peak_mb']:>8.1f}"
        )


if __name__ == "__main__":
    main()
