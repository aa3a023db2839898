"""The phases of executions and node attempts, as stored."""

QUEUED, RUNNING, SUCCEEDED, FAILED = "QUEUED", "RUNNING", "SUCCEEDED", "FAILED"
ABORTING, ABORTED = "ABORTING", "ABORTED"
RETRYABLE = "RETRYABLE_FAILURE"
"""An attempt that failed in a way worth another try: a recoverable error or a crash."""
