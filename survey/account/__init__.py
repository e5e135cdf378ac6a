"""Self-service on one's own account: forgetting, resetting and changing a password."""
