from musitui.cli import main

raise SystemExit(main())
