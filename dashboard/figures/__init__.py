"""Pure figure builders: data in, plain-dict plotly figures out (no app, no I/O)."""
