"""The importer on sources far beyond any sheet: `.venv/bin/python bench/importer.py`.

It imports generated sources of growing size (10 KB to 5 MB, the largest the
importer takes) in each hostile shape: thousands of headings, a million short lines,
one paragraph of sentences, hard-wrapped lines that all join into one, nested and
unclosed HTML, and a realistic sheet (Mali's capture) repeated. Each is read and
written as a draft, as `import_factsheet` does, into a throwaway SQLite database;
the draft is deleted after. For each it prints the time, the time per MB, the peak
memory the import allocated (tracemalloc, measured in a second run, as tracing
slows the first) and what the draft kept. The goal: time that grows in proportion
to the size, and 5 MB in under 10 s.
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# Mali's capture, as data: the one real sheet the repository has as text.
MALI = BASE_DIR / "tests" / "data" / "mali-2015-seed.txt"
KB = 1024
SIZES = [10 * KB, 100 * KB, 1024 * KB, 2048 * KB, 5 * 1024 * KB]
HEADER = (
    "U.S. Relations With Mali\n\nBureau of African Affairs\nFact Sheet\n"
    "October 15, 2015\n\nMore information about Mali is available on the Mali page "
    "and from other Department of State publications and other sources listed at the "
    "end of this fact sheet.\n\n"
)
SENTENCE = "The United States provided support to the people of Mali in many ways. "


def repeat(head, unit, size, tail=""):
    """`head`, then `unit` (a function of n) as often as fits in `size` bytes."""
    parts, total, n = [head], len(head), 0
    while total < size - len(tail):
        part = unit(n)
        parts.append(part)
        total += len(part)
        n += 1
    return "".join(parts).encode()[: size - len(tail)] + tail.encode()


SHAPES = {
    "headings": lambda size: repeat(
        HEADER, lambda n: f"BILATERAL HEADING {n}\n", size, "The end.\n"
    ),
    "short lines": lambda size: repeat(HEADER, lambda n: "x\n", size),
    "one paragraph": lambda size: repeat(HEADER, lambda n: SENTENCE, size),
    "wrapped lines": lambda size: repeat(
        HEADER, lambda n: "and the United States supported the people of Mali\n", size
    ),
    "nested html": lambda size: repeat(
        "<title>U.S. Relations With Mali</title><p>More information about Mali is "
        "available on the Mali page and from other sources listed at the end.</p>",
        lambda n: "<b>x<a ",
        size,
    ),
    "Mali repeated": lambda size: repeat("", lambda n: MALI.read_text("utf-8"), size),
}


def setup_django(folder):
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("SECRET_KEY", "bench-only")
    sys.path.insert(0, str(BASE_DIR))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("loaddata", "bureaus", "countries", verbosity=0)


def import_once(data, name):
    """Read and write `data` as the command does; what the draft kept."""
    from factsheets.importers import UnreadableSource, read_source
    from factsheets.importers.store import save_draft
    from factsheets.models import FactSheet

    try:
        sheet, fingerprint = read_source(data, name)
    except UnreadableSource as error:
        return f"refused: {str(error)[:50]}"
    saved = save_draft(sheet, source=name, fingerprint=fingerprint)
    kept = (
        f"{len(sheet.sections)} sections, "
        f"{max((len(body) for _, body in sheet.sections), default=0):,} chars "
        f"longest, {len(sheet.warnings)} report lines"
    )
    FactSheet.objects.filter(pk=saved.factsheet.pk).delete()
    return kept


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--shapes", default=",".join(SHAPES), help="Comma-separated, from: %(default)s"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder))
        import_once(MALI.read_bytes(), "warm-up.txt")  # modules and patterns loaded
        print(
            f"{'shape':<14} {'size':>8} {'time s':>7} {'s/MB':>6} {'peak MB':>8}  kept"
        )
        for shape in args.shapes.split(","):
            for size in SIZES:
                data = SHAPES[shape](size)
                name = "bench.html" if "html" in shape else "bench.txt"
                start = time.perf_counter()
                kept = import_once(data, name)
                seconds = time.perf_counter() - start
                tracemalloc.start()
                import_once(data, name)
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                mb = len(data) / KB / KB
                print(
                    f"{shape:<14} {len(data) // KB:>6}KB {seconds:7.2f} "
                    f"{seconds / mb:6.2f} {peak / KB / KB:8.1f}  {kept}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
