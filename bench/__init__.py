"""The benchmark (make bench, bench/README.md): national-scale data (generate_scale_data) and the harness."""
