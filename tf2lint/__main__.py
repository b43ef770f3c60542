import sys

from tf2lint.cli import main

sys.exit(main())
