"""Prints the parity table: keraslite vs Keras, one row per component.

Usage:
    python -m compat_tests.report [--json PATH] [--filter TEXT] [--failures]

For each row: the largest absolute and relative difference seen against
Keras (relative over entries whose Keras value exceeds atol; "mismatch"
when an exact comparison such as a type or key list differs), the
tolerance, and PASS/FAIL. `--json` writes the same table as JSON. The exit
status is 1 when any row fails.
"""
import argparse
import json
import sys
import time


def _fmt(x):
    if x == float("inf"):
        return "mismatch"
    return f"{x:.2e}"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m compat_tests.report",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="PATH",
                        help="also write the table as JSON to PATH")
    parser.add_argument("--filter", metavar="TEXT",
                        help="only rows whose name contains TEXT")
    parser.add_argument("--failures", action="store_true",
                        help="print the failing comparisons of failed rows")
    args = parser.parse_args(argv)

    from compat_tests.parity import ROWS, _keras, run_row

    tf, keras = _keras()
    rows = [r for r in ROWS if not args.filter or args.filter in r.name]
    width = max(len(r.name) for r in rows) if rows else 10
    header = (f"{'component':<{width}}  {'max abs':>9}  {'max rel':>9}  "
              f"{'rtol':>7}  {'atol':>7}  result")
    print(f"keraslite vs Keras {keras.__version__} "
          f"(TensorFlow {tf.__version__}): {len(rows)} rows")
    print(header)
    print("-" * len(header))
    results = []
    start = time.time()
    for row in rows:
        result = run_row(row)
        results.append(result)
        print(f"{row.name:<{width}}  {_fmt(result.max_abs):>9}  "
              f"{_fmt(result.max_rel):>9}  {row.rtol:>7.0e}  {row.atol:>7.0e}  "
              f"{'PASS' if result.passed else 'FAIL'}", flush=True)
        if args.failures and not result.passed:
            for failure in result.failures[:20]:
                print(f"    {failure}")
    failed = [r for r in results if not r.passed]
    print("-" * len(header))
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed "
          f"in {time.time() - start:.1f}s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"keras_version": keras.__version__,
                       "tensorflow_version": tf.__version__,
                       "rows": [r.as_dict() for r in results]}, f, indent=1)
        print(f"JSON table written to {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
