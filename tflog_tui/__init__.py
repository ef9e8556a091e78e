"""tflog: a terminal explorer for Grafana Loki."""

__version__ = "0.1.0"
