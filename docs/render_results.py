"""Render a results workbook the way a person sees it: LibreOffice -> PDF -> PNG pages.

    python docs/render_results.py [--lang fr] [--out results-render]

Validates ``sample_data/weekly_planning_mistakes.xlsx`` (no network), converts the results
workbook to PDF with LibreOffice headless (``soffice``, Debian package
libreoffice-calc-nogui) and each page to PNG with ``pdftoppm`` (poppler-utils), and prints
the paths. Not part of the test suite: it needs those two programs.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=["en", "fr"], default="fr")
    parser.add_argument("--out", type=Path, default=Path("results-render"))
    args = parser.parse_args()
    for program in ("soffice", "pdftoppm"):
        if not shutil.which(program):
            sys.exit(f"{program} is needed (apt-get install libreoffice-calc-nogui poppler-utils)")
    args.out.mkdir(parents=True, exist_ok=True)
    source = args.out / "planning.xlsx"
    shutil.copy(ROOT / "sample_data" / "weekly_planning_mistakes.xlsx", source)
    workbook = args.out / "planning.results.xlsx"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "importer",
            "--lang",
            args.lang,
            "validate",
            str(source),
            "-o",
            str(workbook),
            "--quiet",
        ],
        check=False,
    )
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(args.out), str(workbook)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = workbook.with_suffix(".pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), str(args.out / "page")], check=True)
    for page in sorted(args.out.glob("page*.png")):
        print(page)


if __name__ == "__main__":
    main()
