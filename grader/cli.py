"""The console scripts. Each one hands its arguments to one module's main(argv) -> int.

This is the one place that turns a GraderError (or running out of memory) into a single line on
stderr and exit status 2, so no user mistake ever shows a traceback from our own code.
"""
from __future__ import annotations

import sys
from collections.abc import Callable

from grader.errors import GraderError


def _run(main: Callable[[list[str]], int], prog: str) -> int:
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
    from grader.run import main

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
