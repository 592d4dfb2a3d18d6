"""Background work on a job queue (Huey, issue 19): ledger exports and the reminder computation run in
the job worker (`flask jobs work`), not in threads of the web process. See docs/jobs.md."""
