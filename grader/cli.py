"""The console scripts. Each one hands its arguments to one module's main(argv) -> int.

This is the one place that turns a GraderError (or running out of memory) into a single line on
stderr and exit status 2, so no user mistake ever shows a traceback from our own code.
"""
from __future__ import annotations

import signal
import sys
from collections.abc import Callable

from grader.errors import GraderError


def _exit_on(signum, frame):
    """SIGTERM and SIGHUP end the command like Ctrl-C does: every `finally` runs, so workers are
    killed and temp folders removed on this exit path too."""
    raise SystemExit(128 + signum)


def _run(main: Callable[[list[str]], int], prog: str) -> int:
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on)
    try:
        return main(sys.argv[1:])
    except GraderError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 2
    except MemoryError:  # the traceback would only say where the last allocation happened to fail
        print(f"{prog}: error: out of memory; give the process more memory or less work at once",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130


def grade_main() -> int:
    from grader.grade import main

    return _run(main, "grade")


def skeleton_main() -> int:
    from grader.skeleton import main

    return _run(main, "grade-skeleton")


def similarity_main() -> int:
    from grader.similarity import main

    return _run(main, "grade-similarity")


def gradescope_main() -> int:
    from grader.gradescope import main

    return _run(main, "grade-gradescope")


def datasets_main() -> int:
    from grader.datasets.__main__ import main

    return _run(main, "python -m grader.datasets")
