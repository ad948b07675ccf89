"""Compare two schemas and list what differs as typed changes."""
