#!/usr/bin/env python3
"""Thin wrapper: ``python scripts/upload_and_schedule.py …`` = ``upload-and-schedule …``."""

from absa_pipeline.publish.cli import main

if __name__ == "__main__":
    main()
