"""Running Bearings as a service: the HTTP server for the webhook, health and metrics."""
