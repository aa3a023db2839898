"""Reading outputs from another machine: signed, expiring links to store objects, and
`flyte://` data references resolved to literals."""
