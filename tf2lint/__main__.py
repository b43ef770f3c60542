import sys

from tf2lint.hosts.cli import main

sys.exit(main())
