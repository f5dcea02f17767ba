"""Gradescope: `grade-gradescope` builds the autograder zip (bundle.py); inside Gradescope's
container, run_autograder grades one submission with `python -m grader.gradescope.run`."""
from grader.gradescope.bundle import main

__all__ = ["main"]
