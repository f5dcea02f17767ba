"""mlp-grader: the trusted side of the MLP homework (intake, sandbox, hidden tests, reports)."""
