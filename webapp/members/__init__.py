"""One person across branches: the memberships in force on a day, and what the person took part in,
where and when (home branch, temporary branches and party groups together)."""
