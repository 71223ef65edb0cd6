"""The `ottenok` command line: the service, console chat, orders, nudges, knowledge, diagrams."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import time
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import click

from app.settings import Settings
from ottenok.diagrams import embed_in_readme, mermaid, render
from ottenok.machines import DECLARATIONS
from ottenok.messages import IncomingMessage, Outgoing
from ottenok.nudge_policy import NudgePolicy
from ottenok.phones import chat_id_for, normalize_phone
from ottenok.phrasing.templates import Templates


@click.group()
def main() -> None:
    """Ottenok: Alina, the shop's WhatsApp sales assistant."""


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["mermaid", "svg", "png"]),
    default="mermaid",
    show_default=True,
)
@click.option(
    "--write",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write <machine>.<ext> files into this folder instead of printing.",
)
@click.option(
    "--readme",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Also refresh the diagrams embedded in this README.",
)
@click.argument("machine", type=click.Choice([*DECLARATIONS, "all"]), default="all")
def diagram(fmt: str, out_dir: Path | None, readme: Path | None, machine: str) -> None:
    """Draw the order and nudge machines (Mermaid needs no system binary)."""
    if readme is not None:
        embed_in_readme(readme)
    names = list(DECLARATIONS) if machine == "all" else [machine]
    if fmt != "mermaid":
        if out_dir is None:
            raise click.UsageError("--format svg|png needs --write DIR")
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in names:
            try:
                render(name, out_dir / f"{name}.{fmt}", fmt)
            except (ImportError, OSError) as err:
                raise click.ClickException(
                    f"{fmt} needs graphviz (pip install graphviz; apt-get install graphviz): {err}"
                ) from err
        return
    for name in names:
        text = mermaid(name)
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / f"{name}.mmd").write_text(text, encoding="utf-8")
            click.echo(f"wrote {out_dir / f'{name}.mmd'}", err=True)
        else:
            sys.stdout.write(text + "\n")


def _settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)
    except ValueError as err:
        raise click.ClickException(f"invalid settings: {err}") from err


def _print_outgoing(outgoing: list[Outgoing]) -> None:
    for out in outgoing:
        if out.to_manager:
            click.echo(f"[менеджеру {out.chat_id}] {out.text}")
        elif out.kind == "photo":
            click.echo(f"Алина: [фото] {out.photo_path or out.photo_file_id}")
        else:
            click.echo(f"Алина: {out.text}")
    sys.stdout.flush()


async def _chat(phone: str, name: str | None) -> None:
    from app.wiring import close_engine, open_engine

    settings = _settings()
    interactive = sys.stdin.isatty()
    if interactive:
        click.echo("Загружаю магазин…", err=True)
    try:
        engine = await open_engine(settings)
    except (OSError, ValueError) as err:  # the shop's files: name the file and the problem
        raise click.ClickException(f"cannot load the shop in {settings.data_dir}: {err}") from err
    chat_id = chat_id_for(phone)
    try:
        if interactive:
            click.echo("Пишите как покупатель (пустая строка или Ctrl+D — выход).", err=True)
        while True:
            line = await asyncio.to_thread(_read_line, interactive)
            if line is None or (interactive and not line.strip()):
                break
            if not line.strip():
                continue
            msg = IncomingMessage(
                chat_id=chat_id,
                message_id=f"console-{uuid.uuid4().hex}",
                text=line.rstrip("\n"),
                sender_name=name,
            )
            _print_outgoing(await engine.handle_message(msg))
    finally:
        await close_engine(engine)


def _read_line(interactive: bool) -> str | None:
    try:
        return input("Вы: ") if interactive else sys.stdin.readline() or None
    except EOFError:
        return None


def _phone_option(value: str) -> str:
    phone = normalize_phone(value)
    if phone is None:
        raise click.BadParameter(f"not a Kazakhstan phone number: {value!r}")
    return phone


@main.command()
@click.option("--phone", default="77010000001", show_default=True, help="The customer's phone.")
@click.option("--name", default=None, help="The customer's WhatsApp name.")
def chat(phone: str, name: str | None) -> None:
    """Talk to Alina in the terminal (offline default); photos are shown as file paths.

    When stdin is not a terminal, every line is one customer message.
    """
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(_chat(_phone_option(phone), name))


@main.command()
def serve() -> None:
    """The service: WhatsApp over GREEN-API when configured, the sandbox chat in the browser
    when not (or with SANDBOX=1), and the manager console at /manager."""
    from app.logs import setup_json_logging
    from app.serve import serve as run_service

    settings = _settings()
    try:
        settings.require_serving()
    except ValueError as err:
        raise click.ClickException(str(err)) from err
    setup_json_logging(settings.log_level)
    try:
        asyncio.run(run_service(settings, on_ready=_announce))
    except Exception as err:  # one line for the operator; the log has the details
        logging.getLogger("ottenok").exception("service failed")
        raise click.ClickException(f"service stopped: {err}") from err


def _announce(urls: dict[str, str]) -> None:
    """Tell the person who typed `make run` what to open (plain text beside the JSON log)."""
    names = {"sandbox": "sandbox chat (write as a customer)", "console": "manager console"}
    lines = [f"  {names[key]:<36} {url}" for key, url in urls.items()]
    click.echo("\nOttenok is running. Open in a browser:\n" + "\n".join(lines) + "\n", err=True)


@main.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """What `make run` starts: `serve` (the sandbox chat when WhatsApp is not configured)."""
    ctx.invoke(serve)


async def _orders(status: str | None, since: datetime | None) -> list[dict]:
    from adapters.sqlite_store import SQLiteStore

    settings = _settings()
    store = await SQLiteStore.open(settings.database)
    try:
        return [row.as_dict() for row in await store.list_orders(status, since)]
    finally:
        await store.close()


@main.command()
@click.option("--status", type=click.Choice(["open", "confirmed", "cancelled"]), default=None)
@click.option("--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def orders(status: str | None, since: datetime | None, as_json: bool) -> None:
    """List orders, newest first."""
    since_utc = since.replace(tzinfo=UTC) if since else None
    rows = asyncio.run(_orders(status, since_utc))
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no orders")
        return
    for row in rows:
        details = " ".join(v for v in (row["size"], row["color"]) if v)
        click.echo(
            f"#{row['id']} {row['status']:<9} +{row['phone']} {row['product_name']} {details}"
            f" | {row['city']}, {row['address']} | {row['price']} | {row['updated_at']}"
        )


async def _nudge_preview(
    settings: Settings, policy: NudgePolicy, moment: datetime
) -> tuple[list, list]:
    from adapters.nudge_store import NudgeStore
    from knowledge.shop_files import load_catalog
    from ottenok.nudges import NudgeTexts, plan_nudges

    catalog = await asyncio.to_thread(load_catalog, settings.data_dir, settings.inventory_path)
    texts = NudgeTexts(Templates.load(settings.data_dir), catalog)
    store = await NudgeStore.open(settings.database, read_only=True)
    try:
        decisions = await plan_nudges(store, moment, policy, texts)
        return decisions, await store.pending()
    finally:
        await store.close()


@main.command()
@click.option(
    "--at",
    type=click.DateTime(["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]),
    default=None,
    help="A local time in TIMEZONE (default: now).",
)
def nudges(at: datetime | None) -> None:
    """Preview the nudge tick at a moment: who, which step and why. Sends and changes nothing."""
    settings = _settings()
    if not settings.database.is_file():
        raise click.ClickException(f"no database at {settings.database}")
    policy = settings.nudge_policy()
    moment = at.replace(tzinfo=policy.tz) if at else datetime.now(policy.tz)
    decisions, pending = asyncio.run(_nudge_preview(settings, policy, moment))
    hours = "open" if policy.is_open(moment) else "closed, nothing is sent now"
    click.echo(f"nudge tick at {moment:%Y-%m-%d %H:%M} {settings.timezone} ({hours})")
    if not decisions and not pending:
        click.echo("nobody is due")
    for d in decisions:
        who = f"{d.chat.chat_id} {d.chat.name or ''}".strip()
        action = f"nudge {d.step}" if d.step else f"no nudge ({d.state})"
        click.echo(f"{who}: {action}: {d.reason}")
        if d.text:
            click.echo(f"    {d.text}")
    for nudge in pending:
        click.echo(
            f"{nudge.chat_id}: nudge {nudge.step} waiting in the outbox"
            f" (attempts so far: {nudge.attempts})"
        )
        click.echo(f"    {nudge.text}")


async def _usage(settings: Settings, since: str | None) -> dict[str, list]:
    from adapters.llm_usage_store import LLMUsageStore
    from adapters.sqlite_store import SQLiteStore

    await (await SQLiteStore.open(settings.database)).close()  # applies pending migrations
    store = await LLMUsageStore.open(settings.database, read_only=True)
    try:
        return {by: await store.totals(by, since) for by in ("day", "chat_id")}
    finally:
        await store.close()


@main.command()
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, help="A local day.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def usage(since: datetime | None, as_json: bool) -> None:
    """LLM calls, tokens, guard rejections and fallbacks, with the estimated cost, per day and
    per conversation."""
    from adapters.llm.usage import Prices

    settings = _settings()
    if not settings.database.is_file():
        raise click.ClickException(f"no database at {settings.database}")
    prices = Prices(settings.llm_price_prompt_per_1m, settings.llm_price_completion_per_1m)
    day = since.date().isoformat() if since else None
    totals = asyncio.run(_usage(settings, day))
    rows = {
        by: [
            {"key": key, **asdict(u), "cost": prices.cost(u.prompt_tokens, u.completion_tokens)}
            for key, u in found.items()
        ]
        for by, found in totals.items()
    }
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo(
        f"LLM usage{f' since {day}' if day else ''}; cost at {prices.prompt:g} / "
        f"{prices.completion:g} per 1M prompt / completion tokens"
    )
    if not rows["day"]:
        click.echo("no LLM usage recorded")
        return
    everything = {
        key: sum(row[key] for row in rows["day"])
        for key in ("turns", "rules_only", "calls", "prompt_tokens", "completion_tokens", "cost")
    }
    events: dict[str, int] = {}
    for row in rows["day"]:
        for event, count in row["events"].items():
            events[event] = events.get(event, 0) + count
    for title, key, found in (
        ("per day", "day", rows["day"]),
        ("per conversation", "conversation", rows["chat_id"]),
        ("total", "", [{**everything, "key": "all", "events": events}]),
    ):
        click.echo(f"\n{title}:")
        click.echo(
            f"{key or '':<22} {'turns':>6} {'rules':>6} {'calls':>6} {'prompt':>9}"
            f" {'compl.':>8} {'cost':>8}  rejections and fallbacks"
        )
        for row in found:
            happened = ", ".join(f"{e} {n}" for e, n in sorted(row["events"].items()))
            click.echo(
                f"{row['key']:<22} {row['turns']:>6} {row['rules_only']:>6} {row['calls']:>6}"
                f" {row['prompt_tokens']:>9} {row['completion_tokens']:>8}"
                f" {row['cost']:>8.4f}  {happened or '-'}"
            )


@main.command()
@click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), help="default: $DATA_DIR"
)
@click.option(
    "--chroma-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="default: $CHROMA_DIR or DATA_DIR/chroma_db",
)
@click.option("--if-missing", is_flag=True, help="Build only when the store is absent or empty.")
def knowledge(data_dir: Path | None, chroma_dir: Path | None, if_missing: bool) -> None:
    """Build the knowledge store and the photo index from the shop's files."""
    from app.wiring import photo_index
    from knowledge.builder import build_knowledge, store_needs_build
    from knowledge.embeddings import embedding_for
    from knowledge.shop_files import load_catalog

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    overrides: dict[str, Path] = {}
    if data_dir:
        overrides["data_dir"] = data_dir
    if chroma_dir:
        overrides["chroma_dir"] = chroma_dir
    settings = _settings(**overrides)
    embedding = embedding_for(settings)

    def progress(message: str) -> None:
        click.echo(message, err=True)

    if if_missing and not store_needs_build(settings.chroma, embedding):
        click.echo(f"knowledge store {settings.chroma} is present; nothing to do")
        return
    try:
        catalog = load_catalog(settings.data_dir, settings.inventory_path)
    except (OSError, ValueError) as err:
        raise click.ClickException(f"cannot load the shop in {settings.data_dir}: {err}") from err
    report = build_knowledge(
        settings.data_dir, settings.chroma, embedding, settings.inventory_path, progress, catalog
    )
    started = time.perf_counter()
    index = photo_index(settings, catalog)
    report.photos = len(index.photos) if index is not None else None
    report.seconds += time.perf_counter() - started
    click.echo(report.summary())


@main.command("check-shop")
@click.argument("data_dir", required=False, type=click.Path(file_okay=False, path_type=Path))
def check_shop(data_dir: Path | None) -> None:
    """Check a shop's folder (default: $DATA_DIR) for what will hurt sales, with the fixes.

    Exits 1 when the shop cannot be loaded or could sell nothing, 0 when only warnings remain.
    """
    from knowledge.shop_check import check_shop as run_check

    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    if data_dir is None:
        settings = _settings()
        report = run_check(settings.data_dir, settings.inventory_path, settings.photos)
    else:
        report = run_check(data_dir)
    click.echo("\n".join(report.lines()))
    if not report.loadable:
        sys.exit(1)


if __name__ == "__main__":
    main()
