"""Prints the closing 'N passed, N failed' line of scripts/test.

Reads meson's testlog.json. A GoogleTest executable counts as its test
cases (from its own "[       OK ]" / "[  FAILED  ]" lines), a script test
as one case. A crashed or timed-out gtest run that reported no failing case
counts as one failure, so a crash can never read as a pass.
"""
import json
import re
import sys

CASE_OK = re.compile(r"^\[       OK \] \S+ \(\d+ ms\)$", re.M)
CASE_FAILED = re.compile(r"^\[  FAILED  \] \S+.* \(\d+ ms\)$", re.M)
CASE_SKIPPED = re.compile(r"^\[  SKIPPED \] \S+ \(\d+ ms\)$", re.M)


def main(path):
    passed = failed = skipped = 0
    with open(path) as f:
        for line in f:
            entry = json.loads(line)
            result = entry.get("result")
            out = entry.get("stdout") or ""
            good = result in ("OK", "EXPECTEDFAIL")
            if "[==========] Running" in out:
                ok, bad, skip = (len(CASE_OK.findall(out)), len(CASE_FAILED.findall(out)),
                                 len(CASE_SKIPPED.findall(out)))
                passed += ok
                failed += bad
                skipped += skip
                if not good and bad == 0:
                    failed += 1
            elif result == "SKIP":
                skipped += 1
            elif good:
                passed += 1
            else:
                failed += 1
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 0 if failed == 0 and skipped == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
