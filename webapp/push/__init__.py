"""Web push reminders (issue 5): VAPID keys, reminder scheduling, the outbound queue and its worker."""
