"""Prints the closing 'N passed, N failed' line of scripts/test.

Reads meson's testlog.json: a GoogleTest executable counts as its individual
test cases (from its JUnit XML), a script test as one case.
"""
import json
import os
import sys
import xml.etree.ElementTree as ET


def main(path):
    passed = failed = skipped = 0
    with open(path) as f:
        for line in f:
            entry = json.loads(line)
            result = entry.get("result")
            cases = None
            junit = entry.get("junit")  # not always present; fall back below
            xml = None
            for arg in entry.get("command", []):
                if arg.startswith("--gtest_output=xml:"):
                    xml = arg.split(":", 1)[1]
            if xml and os.path.exists(xml):
                root = ET.parse(xml).getroot()
                cases = root.iter("testcase")
            if cases is not None:
                for case in cases:
                    if case.find("failure") is not None or case.find("error") is not None:
                        failed += 1
                    elif case.get("result") == "skipped" or case.find("skipped") is not None:
                        skipped += 1
                    else:
                        passed += 1
                if result not in ("OK", "EXPECTEDFAIL"):
                    # A crash or timeout loses cases from the XML: count the run.
                    failed += 1
            elif result == "SKIP":
                skipped += 1
            elif result in ("OK", "EXPECTEDFAIL"):
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
