"""GUI benchmarks for `pollday bench` (modules b_*.py, registered with app.bench.metric)."""
