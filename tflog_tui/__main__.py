from tflog_tui.cli import main

raise SystemExit(main())
