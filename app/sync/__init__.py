"""Several sign-in desks on the venue network (多台签到).

A host laptop (`Host`, `pollday serve`) keeps the room's pairing and relays the shared attendance
document; each desk (`DeskService`, `pollday desk`) joins once (`join`: the meeting and the
register into its own SQLite), then signs in locally and shares through the host whenever the
network lets it. The attendance events travel in a pycrdt (Yjs) document keyed desk:seq
(`Replica`) and are merged into every laptop's SQLite with app.attendance.merge_events, where the
earliest (clock, desk) sign-in stands and later ones are double sign-ins for the chair.

Layout: pairing (certificate, secret, pairing code), wire (frames on the TLS stream), replica
(document <-> SQLite, no network), host, desk, service (a desk on a thread), status (the host's overview),
refusals (refused attempts: bounded audit rows, read back), discovery (mDNS, off the event
loop), lan (this laptop's addresses, best first), joining (why joining failed, in words),
identity (the room's and each desk's Ed25519 keys, signatures of events), gate (every update
from the other side checked on a scratch document before it is applied), registry (the desks'
keys on the host, revoking one)."""

from app.sync.desk import DeskLink, DeskStatus, Refused, join, shared
from app.sync.host import Host, HostConfig, ensure_host
from app.sync.pairing import BadPairing, Pairing, parse, read_pairing
from app.sync.refusals import RefusedAttempt, refused_attempts, refused_total
from app.sync.replica import Replica
from app.sync.service import DeskService
from app.sync.status import DeskLinkStatus, have, host_status, is_host

__all__ = [
    "BadPairing", "DeskLink", "DeskLinkStatus", "DeskService", "DeskStatus", "Host",
    "HostConfig", "Pairing", "Refused", "RefusedAttempt", "Replica", "ensure_host", "have",
    "host_status", "is_host", "join", "parse", "read_pairing", "refused_attempts",
    "refused_total", "shared",
]
