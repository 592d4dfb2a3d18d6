"""A person's account: who may change it, invitations to other organizations, notices of changes."""
