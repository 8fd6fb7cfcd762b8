"""Rebuild ``icd10cm-<release>.tsv.gz`` from the ``simple-icd-10-cm`` package.

One line per code (chapters and blocks left out; a block named like its only category,
F99, is kept as the category): dotted code, 1 when billable (a leaf
of the tabular list) else 0, description; tab-separated, gzip'd without a timestamp so
the same release gives the same bytes. Run after upgrading the package:

    .venv/bin/python clients/data/build_icd10cm.py clients/data/icd10cm-2026-04.tsv.gz
"""

import gzip
import sys

import simple_icd_10_cm as cm  # dev dependency: only this script needs it


def main(target: str) -> None:
    lines = [
        f"{code}\t{1 if cm.is_leaf(code) else 0}\t{cm.get_description(code)}\n"
        for code in dict.fromkeys(cm.get_all_codes(True))
        # A block of one category is named like it (F99): keep the category.
        if cm.is_category_or_subcategory(code) or cm.is_extended_subcategory(code)
    ]
    with open(target, "wb") as out:
        out.write(gzip.compress("".join(lines).encode("utf-8"), 9, mtime=0))
    billable = sum(1 for line in lines if line.split("\t")[1] == "1")
    print(f"{target}: {len(lines)} codes, {billable} billable")


if __name__ == "__main__":
    main(sys.argv[1])
