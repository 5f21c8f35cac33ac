"""HR's work: roles, invitations, the dashboard's queries, review and decisions, mail."""
