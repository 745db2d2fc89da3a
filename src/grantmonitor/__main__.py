from grantmonitor.cli.main import main

raise SystemExit(main())
