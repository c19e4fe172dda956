"""A small IMAP4rev1 server on loopback (RFC 3501 wire format) holding one mailbox, for the
tests of walletdesk's IMAP polling: LOGIN, SELECT, UID SEARCH UNSEEN, UID FETCH, UID STORE,
LOGOUT — what the poller uses — with real literals and tagged responses."""

import re
import socketserver
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StoredMail:
    uid: int
    raw: bytes
    flags: set[str] = field(default_factory=set)


@dataclass
class Mailbox:
    user: str = "support@wallet.example"
    password: str = "imap-secret"
    folder: str = "INBOX"
    mails: list[StoredMail] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)

    def add(self, raw: bytes) -> int:
        uid = len(self.mails) + 1
        self.mails.append(StoredMail(uid, raw))
        return uid

    def by_uid(self, uid: int) -> StoredMail | None:
        return next((m for m in self.mails if m.uid == uid), None)


def make_handler(box: Mailbox) -> type[socketserver.StreamRequestHandler]:
    class Handler(socketserver.StreamRequestHandler):
        def send(self, line: str | bytes) -> None:
            self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

        def handle(self) -> None:
            self.send("* OK [CAPABILITY IMAP4rev1] test server ready")
            authenticated = selected = False
            while True:
                line = self.rfile.readline()
                if not line:
                    return
                tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
                command, _, args = rest.partition(" ")
                command = command.upper()
                box.commands.append(command if command != "UID" else "UID " + args.split()[0])
                if command == "CAPABILITY":
                    self.send("* CAPABILITY IMAP4rev1")
                    self.send(f"{tag} OK CAPABILITY completed")
                elif command == "LOGIN":
                    user, password = [p.strip('"') for p in args.split(" ", 1)]
                    authenticated = (user, password) == (box.user, box.password)
                    self.send(f"{tag} OK LOGIN completed" if authenticated else
                              f"{tag} NO [AUTHENTICATIONFAILED] invalid credentials")
                elif command == "SELECT" and authenticated:
                    selected = args.strip('"') == box.folder
                    if not selected:
                        self.send(f"{tag} NO no such mailbox")
                        continue
                    self.send(f"* {len(box.mails)} EXISTS")
                    self.send("* 0 RECENT")
                    self.send("* OK [UIDVALIDITY 1] UIDs valid")
                    self.send(f"{tag} OK [READ-WRITE] SELECT completed")
                elif command == "UID" and selected:
                    self.uid(tag, args)
                elif command == "LOGOUT":
                    self.send("* BYE logging out")
                    self.send(f"{tag} OK LOGOUT completed")
                    return
                elif command == "NOOP":
                    self.send(f"{tag} OK NOOP completed")
                else:
                    self.send(f"{tag} BAD command unknown or not allowed now")

        def uid(self, tag: str, args: str) -> None:
            sub, _, rest = args.partition(" ")
            sub = sub.upper()
            if sub == "SEARCH":
                uids = [str(m.uid) for m in box.mails if "\\Seen" not in m.flags]
                self.send("* SEARCH" + "".join(" " + u for u in uids))
                self.send(f"{tag} OK SEARCH completed")
            elif sub == "FETCH":
                mail = box.by_uid(int(rest.split()[0]))
                if mail is not None:
                    index = box.mails.index(mail) + 1
                    self.send(f"* {index} FETCH (UID {mail.uid} BODY[] {{{len(mail.raw)}}}"
                              .encode() + b"\r\n" + mail.raw + b")")
                self.send(f"{tag} OK FETCH completed")
            elif sub == "STORE":
                found = re.match(r"(\d+) \+FLAGS \((.*)\)", rest)
                mail = box.by_uid(int(found.group(1))) if found else None
                if mail is None or found is None:
                    self.send(f"{tag} BAD bad STORE")
                    return
                mail.flags.update(found.group(2).split())
                self.send(f"* {box.mails.index(mail) + 1} FETCH (UID {mail.uid} FLAGS "
                          f"({' '.join(sorted(mail.flags))}))")
                self.send(f"{tag} OK STORE completed")
            else:
                self.send(f"{tag} BAD unknown UID command")

    return Handler


class ImapServer:
    def __init__(self, box: Mailbox) -> None:
        self.box = box
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), make_handler(box))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "ImapServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()
