"""grade-similarity: who wrote the same TODO code, this year and in past years.

The pipeline: cohort (read submissions) -> blocks (name each TODO block) -> normalize (canonical
tokens) -> fingerprint (winnowing, inverted index) -> compare (pair scores) -> CSV, report.html.
"""
from grader.similarity.command import main

__all__ = ["main"]
