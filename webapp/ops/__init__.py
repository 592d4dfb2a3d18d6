"""Operations: /healthz, Prometheus /metrics, JSON-lines logs with a request id."""
