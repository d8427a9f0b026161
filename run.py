"""Start pinboard: `python run.py [--host 0.0.0.0] [--port 5000] [--config config.toml]`."""

import sys

from pinboard.cli import main

if __name__ == "__main__":
    main(["run", *sys.argv[1:]])
