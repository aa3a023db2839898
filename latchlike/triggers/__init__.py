"""QC on upload: a file's kind chooses a workflow (`rules`), its record enqueues a trigger in
the same transaction (`outbox`), a background loop launches it (`loop`, `launcher`) at most
once per content and workflow version, and `state` tells what became of it."""
