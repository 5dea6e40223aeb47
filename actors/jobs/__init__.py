"""Scheduled jobs (spec 60 §4): definitions, one run of a job, and the leader-run scheduler."""
