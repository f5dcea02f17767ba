"""The errors a user can cause; each message is one line naming the thing and the fix."""


class GraderError(Exception):
    """Base of every error the command line reports as one line (exit status 2)."""


class SubmissionError(GraderError):
    """The submission itself is unusable (bad zip, no code folder, unsafe entry...)."""


class ConfigError(GraderError):
    """A flag, an assignment folder or a limit is wrong."""


class SandboxError(GraderError):
    """The worker could not be started or talked to."""
