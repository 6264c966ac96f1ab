"""The in-process half of the audio fuzz test, run in a child process (a decoder crash or
hang costs the child, not the test run): scan the mutants' folder, then analyse and `info`
every file, printing one JSON object with what each said."""

from __future__ import annotations

import contextlib
import io
import json
import signal
import sys
import traceback
from pathlib import Path

PER_FILE_SECONDS = 60  # far beyond a 0.6 s file's needs: only a hang reaches it


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang


def main(folder: str, home: str) -> None:
    from musitui.analysis.worker import analyze_file
    from musitui.cli import main as cli_main
    from musitui.library.scan import scan_folder
    from musitui.store.catalog import Catalog

    signal.signal(signal.SIGALRM, _alarm)
    out: dict = {"scan_errors": [], "tracks": [], "analyze": {}, "info": {}, "problems": []}
    catalog = Catalog(Path(home) / "catalog.json")
    catalog.load()
    signal.alarm(PER_FILE_SECONDS * 5)
    try:
        report = scan_folder(catalog, folder, jobs=1)
    except BaseException:
        out["problems"].append("scan: " + traceback.format_exc())
        print(json.dumps(out))
        return
    signal.alarm(0)
    out["scan_errors"] = report.errors
    out["tracks"] = [t.path for t in catalog.present()]
    durations = {t.path: t.duration for t in catalog.present()}
    for path in sorted(str(p) for p in Path(folder).iterdir()):
        signal.alarm(PER_FILE_SECONDS)
        try:
            result = analyze_file(0, path, 10.0, durations.get(path, 0.0))
            out["analyze"][path] = result.error or "ok"
            stderr = io.StringIO()
            with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
                code = cli_main(["--home", home, "info", path])
            out["info"][path] = [code, stderr.getvalue()]
        except Hang:
            out["problems"].append(f"hang: {path}")
        except BaseException:
            out["problems"].append(f"{path}: {traceback.format_exc()}")
        finally:
            signal.alarm(0)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
