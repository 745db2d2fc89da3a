from django.core.management.base import BaseCommand, CommandError

from grantmonitor.calls.models import Call
from grantmonitor.demo.seed import (
    CALL_TITLE,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    DEMO_TOTP_USERS,
    DEMO_USERS,
    load_demo,
)


class Command(BaseCommand):
    help = "Load the seed: written question 418 (2018), its call, projects, KPIs and dossiers."

    def handle(self, *args, **options):
        if Call.objects.filter(title=CALL_TITLE).exists():
            self.stdout.write("Demo data already loaded.")
        else:
            try:
                load_demo()
            except Exception as exc:
                raise CommandError(
                    f"Loading the demo data failed, nothing was saved: {exc}"
                ) from exc
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write("Demo logins:")
        for username, role, _name in DEMO_USERS:
            second = "  + code from an authenticator app" if username in DEMO_TOTP_USERS else ""
            self.stdout.write(f"  {username} / {DEMO_PASSWORD}  ({role.label}){second}")
        self.stdout.write("  (promotor works for Hefboom and sees only its project)")
        self.stdout.write(
            f"Authenticator app key of {' and '.join(DEMO_TOTP_USERS)}: {DEMO_TOTP_SECRET}\n"
            "  (time-based, 6 digits, 30 s; e.g. `oathtool --totp -b KEY`, FreeOTP, Aegis)"
        )
