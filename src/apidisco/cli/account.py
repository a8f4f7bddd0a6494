"""``apidisco account``: sign up, log in and out, and (admins) manage accounts."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from apidisco.cli.context import AppContext, app_context
from apidisco.cli.lazy import lazy_module
from apidisco.enums import Role
from apidisco.errors import ValidationError

if TYPE_CHECKING:
    from apidisco.services import accounts, sessions
    from apidisco.services.views import AccountView
else:
    accounts = lazy_module("apidisco.services.accounts")
    sessions = lazy_module("apidisco.services.sessions")

app = typer.Typer(help="Sign up, log in and out; admins manage accounts.", no_args_is_help=True)

EmailOption = Annotated[str, typer.Option("--email", help="The account's email address.")]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input."
    ),
]
AccountArgument = Annotated[str, typer.Argument(help="Account id, email or username.")]


def _password(from_stdin: bool, *, confirm: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise ValidationError("no password on standard input")
        return password
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=confirm))


def _show(state: AppContext, account: AccountView, *, title: str | None = None) -> None:
    out = state.output
    if out.json_mode:
        out.json(account)
        return
    out.fields(
        [
            ("id", account.id),
            ("email", account.email),
            ("username", account.username),
            ("role", account.role.value),
            ("credits", account.credits),
            ("tier", account.subscription_tier),
            ("enabled", "yes" if account.enabled else "no"),
            ("demo", "yes" if account.is_demo else "no"),
            ("created", account.created_at.isoformat(timespec="seconds")),
            (
                "last login",
                account.last_login.isoformat(timespec="seconds") if account.last_login else "",
            ),
        ],
        title=title,
    )


@app.command()
def signup(
    ctx: typer.Context,
    email: EmailOption,
    username: Annotated[
        str | None, typer.Option("--username", help="3-30 letters, digits, '_' or '-'.")
    ] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create an account (100 free credits). The first account of a store becomes its admin."""
    state = app_context(ctx)
    password = _password(password_stdin, confirm=True)
    account = accounts.signup(
        state.database(),
        email=email,
        password=password,
        username=username,
        rounds=state.settings.password_rounds,
    )
    _show(state, account, title="Account created; log in with `apidisco account login`")


@app.command()
def login(ctx: typer.Context, email: EmailOption, password_stdin: PasswordStdin = False) -> None:
    """Log in; the session is saved for the next commands (or use APIDISCO_TOKEN)."""
    state = app_context(ctx)
    password = _password(password_stdin, confirm=False)
    result = sessions.login(
        state.database(), email=email, password=password, days=state.settings.session_days
    )
    path = state.tokens.save(result.token, result.account.email)
    out = state.output
    if out.json_mode:
        out.json(
            {
                "account": result.account,
                "expires_at": result.expires_at,
                "token": result.token,
                "saved_to": path,
            }
        )
    else:
        out.success(
            f"Logged in as {result.account.email} until "
            f"{result.expires_at.isoformat(timespec='minutes')}."
        )


@app.command()
def logout(ctx: typer.Context) -> None:
    """End the saved session."""
    state = app_context(ctx)
    ended = sessions.logout(state.database(), state.tokens.read())
    state.tokens.clear()
    out = state.output
    if out.json_mode:
        out.json({"logged_out": ended})
    else:
        out.line("Logged out." if ended else "There was no session to end.")


@app.command()
def whoami(ctx: typer.Context) -> None:
    """Show the logged-in account."""
    state = app_context(ctx)
    _show(state, sessions.whoami(state.database(), state.actor()))


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List every account (admins only)."""
    state = app_context(ctx)
    rows = accounts.list_accounts(state.database(), state.actor())
    out = state.output
    if out.json_mode:
        out.json(rows)
        return
    out.table(
        ["Id", "Email", "Username", "Role", "Credits", "Enabled", "Demo"],
        [
            (
                a.id,
                a.email,
                a.username,
                a.role.value,
                a.credits,
                "yes" if a.enabled else "no",
                "yes" if a.is_demo else "no",
            )
            for a in rows
        ],
    )


@app.command()
def disable(ctx: typer.Context, account: AccountArgument) -> None:
    """Disable an account and end its sessions (admins only)."""
    state = app_context(ctx)
    _show(state, accounts.set_enabled(state.database(), state.actor(), account, False))


@app.command()
def enable(ctx: typer.Context, account: AccountArgument) -> None:
    """Enable a disabled account (admins only)."""
    state = app_context(ctx)
    _show(state, accounts.set_enabled(state.database(), state.actor(), account, True))


@app.command()
def role(
    ctx: typer.Context,
    account: AccountArgument,
    new_role: Annotated[Role, typer.Argument(metavar="ROLE", help="USER, ADMIN or DEMO.")],
) -> None:
    """Change an account's role (admins only)."""
    state = app_context(ctx)
    _show(state, accounts.set_role(state.database(), state.actor(), account, new_role))
