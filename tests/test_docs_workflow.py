"""docs/workflow.md runs: its shell examples are replayed, in order, against the 2016 replay.

The page's ```bash blocks are read as a small shell: `cat > FILE <<'EOF'` writes a file (variables
expanded when the EOF is unquoted), `curl` sends a request (`-X`, `-H`, `-d @FILE` or `-d JSON`,
`-F`), `ceasefire get PATH --as USER` answers in-process, and `NAME=$(... | jq -r FILTER)` keeps a
value of the answer. Every request must succeed (2xx) unless its comment starts with the status it
gives (`# 404: ...`). Other `ceasefire` commands must exist. The demo accounts are created as the
demo creates them, and `$ANALYST`, `$SY_GOV_REP`, ... hold their tokens.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.orm import Session

from ceasefire.cli.demo import DEMO_ACCOUNTS
from ceasefire.cli.main import app as cli_app
from ceasefire.interchange import load_replay
from ceasefire.kernel.actor import SYSTEM
from tests.factories import make_user, token_for

PAGE = Path(__file__).resolve().parent.parent / "docs" / "workflow.md"
CAPTURE = re.compile(r"^(\w+)=\$\((.*)\|\s*jq -r\s+'?([^')]+)'?\s*\)$", re.DOTALL)
HEREDOC = re.compile(r"^cat > (\S+) <<('?)EOF\2$")
VARIABLE = re.compile(r"\$\{?(\w+)\}?")


def bash_lines(text: str) -> list[str]:
    """The lines of the page's bash blocks, continuation lines joined."""
    lines, inside, pending = [], False, ""
    for raw in text.splitlines():
        if raw.startswith("```"):
            inside = raw.strip() == "```bash"
            continue
        if not inside:
            continue
        if raw.endswith("\\"):
            pending += raw[:-1] + " "
            continue
        lines.append(pending + raw)
        pending = ""
    return lines


def _comment(line: str) -> tuple[str, int | None]:
    """The command without its trailing comment, and the status the comment announces, if any."""
    match = re.search(r"\s+#\s*(.*)$", line)
    if match is None:
        return line, None
    status = re.match(r"(\d{3})\b", match.group(1))
    return line[: match.start()], int(status.group(1)) if status else None


def jq(data: Any, path: str) -> str:
    """A value picked by a simple jq path: .id, .items[0].id."""
    for part in re.findall(r"\.(\w+)|\[(\d+)\]", path):
        data = data[part[0]] if part[0] else data[int(part[1])]
    return str(data)


@dataclass
class Shell:
    """The page's shell session: variables, files written, and the API to send requests to."""

    client: TestClient
    tokens: dict[str, str]
    variables: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    sent: list[str] = field(default_factory=list)

    def expand(self, text: str) -> str:
        return VARIABLE.sub(lambda m: self.variables.get(m.group(1), m.group(0)), text)

    def run(self, line: str) -> None:
        command, status = _comment(line)
        capture = CAPTURE.match(command.strip())
        if capture:
            name, inner, path = capture.groups()
            response = self.request(inner.strip(), status)
            body = response.json()
            if path.startswith(".items[0]"):
                assert body["total"] == 1, f"{inner} picks one of {body['total']} items"
            self.variables[name] = jq(body, path)
            return
        words = command.split()
        if not words or words[0] == "export" or re.match(r"^\w+=", words[0]):
            return  # export NAME=..., NAME=...: the page's own settings
        if words[0] in ("curl",) or words[:2] == ["ceasefire", "get"]:
            self.request(command, status)
        elif words[0] == "ceasefire":
            check_command_exists(shlex.split(command)[1:])
        else:
            raise AssertionError(f"the workflow page runs a command this test cannot check: {line}")

    def request(self, command: str, status: int | None) -> Response:
        words = shlex.split(self.expand(command))
        response = self._get(words) if words[0] == "ceasefire" else self._curl(words[1:])
        self.sent.append(command)
        if status is None:
            assert 200 <= response.status_code < 300, (command, response.status_code, response.text[:500])
        else:
            assert response.status_code == status, (command, response.status_code, response.text[:500])
        return response

    def _get(self, words: list[str]) -> Response:
        path, user = words[2], words[words.index("--as") + 1] if "--as" in words else None
        path = path if path.startswith("/api/") else "/api/v1/" + path.lstrip("/")
        headers = {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}
        return self.client.get(path, headers=headers)

    def _curl(self, args: list[str]) -> Response:
        method, url, headers = None, None, {}
        content: str | None = None
        form: dict[str, str] = {}
        uploads: dict[str, tuple[str, bytes]] = {}
        while args:
            arg = args.pop(0)
            if arg == "-s":
                continue
            if arg == "-X":
                method = args.pop(0)
            elif arg == "-H":
                key, _, value = args.pop(0).partition(":")
                headers[key.strip()] = value.strip()
            elif arg == "-d":
                data = args.pop(0)
                content = self.files[data[1:]] if data.startswith("@") else data
            elif arg == "-F":
                key, _, value = args.pop(0).partition("=")
                if value.startswith("@"):
                    uploads[key] = (value[1:], self.files[value[1:]].encode())
                else:
                    form[key] = value
            else:
                url = arg
        assert url is not None, args
        assert url.startswith("/api/v1/"), url
        method = method or ("POST" if content is not None or form else "GET")
        if uploads or form:
            return self.client.request(method, url, headers=headers, data=form, files=uploads)
        return self.client.request(method, url, headers=headers, content=content)


def check_command_exists(words: list[str]) -> None:
    """A `ceasefire ...` command the page shows is one the CLI has (a command, not a group)."""
    command: Any = typer.main.get_command(cli_app)
    path: list[str] = []
    for word in words:
        commands = getattr(command, "commands", None)
        if commands is None or word.startswith("-"):
            break
        path.append(word)
        assert word in commands, f"`ceasefire {' '.join(path)}` is not a command"
        command = commands[word]
    assert getattr(command, "commands", None) is None, f"`ceasefire {' '.join(path)}` is a group"


def run_page(shell: Shell, text: str) -> None:
    """Run the page's bash lines in order."""
    lines = iter(bash_lines(text))
    for line in lines:
        heredoc = HEREDOC.match(line)
        if heredoc is None:
            shell.run(line)
            continue
        body = []
        for inner in lines:
            if inner == "EOF":
                break
            body.append(inner)
        content = "\n".join(body) + "\n"
        shell.files[heredoc.group(1)] = content if heredoc.group(2) else shell.expand(content)


@pytest.fixture
def shell(client: TestClient, session: Session) -> Shell:
    """The replay loaded, the demo accounts made, and their tokens in $ANALYST, $SY_GOV_REP, ..."""
    load_replay(session, actor=SYSTEM)
    tokens: dict[str, str] = {}
    variables = {"API": "/api/v1"}
    for username, display_name, role, party_id in DEMO_ACCOUNTS:
        user = make_user(session, username=username, display_name=display_name, role=role, party_id=party_id)
        tokens[username] = token_for(session, user)
        variables[username.upper().replace("-", "_")] = tokens[username]
    return Shell(client, tokens, variables)


def test_the_workflow_page_runs_against_the_replay(shell: Shell) -> None:
    run_page(shell, PAGE.read_text(encoding="utf-8"))
    requests = " ".join(shell.sent)
    for route in ("/reports", "/messages", "/evidence", "/incidents", "/applicability", "/determinations"):
        assert route in requests, route
    assert len(shell.sent) >= 40


def test_a_failing_example_would_fail_the_page(shell: Shell) -> None:
    with pytest.raises(AssertionError):
        shell.run('ceasefire get "/incidents/no-such-incident" --as analyst')
    shell.run('ceasefire get "/incidents/no-such-incident" --as analyst   # 404: unknown')
    with pytest.raises(AssertionError):
        check_command_exists(["incidents", "no-such-command"])
