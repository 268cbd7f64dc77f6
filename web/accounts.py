"""Who may use the device, and the records that say who looked at what.

Users have one role each: ``admin`` (manages users and the device), ``supervisor`` (reviews the
log and evidence), ``inspector`` (runs inspections) and ``volunteer`` (watches live alerts and
progress only: never camera images, evidence or the log, since those are pictures from inside
restrooms). There is no default password: the first admin is created on first run. Volunteers
have no password; they join with a short-lived code shown on the device, and their account
lapses at the end of the day.

Passwords are hashed with scrypt (``hashlib.scrypt``, memory-hard, in the standard library).

Two kinds of record are kept here because proof matters as much as detection:

- every view of evidence (who, what, when, from where) in ``evidence_views``;
- every time the device took its time from a phone because its own clock was unset (older
  Pis have no clock battery) in ``clock_fixes``.

Example::

    accounts = AccountService(open_store(data_dir))
    admin = accounts.create_first_admin("kim", "correct horse battery", "Kim")
    assert accounts.authenticate("kim", "correct horse battery") == admin
"""

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from detector.log.storage.models import ClockFix, EvidenceView, JoinCode, SetupClaim, User, WebSession
from detector.timestamps import format_utc, utc_moment
from detector.textcheck import refused_character

ROLES = ("admin", "supervisor", "inspector", "volunteer")
#: Roles that may run inspections, see camera images, evidence and the log.
STAFF_ROLES = frozenset({"admin", "supervisor", "inspector"})
REVIEW_ROLES = frozenset({"admin", "supervisor"})

MIN_PASSWORD_LENGTH = 10
JOIN_CODE_TTL_S = 10 * 60
JOIN_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread
JOIN_CODE_LENGTH = 6
VOLUNTEER_ACCOUNT_TTL_S = 12 * 3600
#: A system clock before this year has never been set (the Pi boots at its image's build date
#: or 1970 without a clock battery and without network time).
CLOCK_UNSET_BEFORE_YEAR = 2024
#: A phone's time at or past this year is not believed: beyond any device's service life, and
#: far from datetime's year-9999 limit, so the offset can never overflow ``now()``.
CLOCK_LATEST_YEAR = 2100
#: Who may give the device its time from a phone: people who stamp records, not volunteers.
CLOCK_ROLES = frozenset({"admin", "inspector"})


# scrypt cost: 16 MiB and about 0.1 s on a Raspberry Pi 4 per login.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _SCRYPT_LEN = 2**14, 8, 1, 32


class AccountError(ValueError):
    """A request about accounts that cannot be honoured; ``key`` names the translated reason."""

    def __init__(self, key: str, detail: str = ""):
        super().__init__(detail or key)
        self.key = key


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    role: str
    language: str | None


@dataclass(frozen=True)
class IssuedJoinCode:
    code: str
    expires_at: datetime


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` with a fresh 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return "$".join(["scrypt", str(_SCRYPT_N), str(_SCRYPT_R), str(_SCRYPT_P),
                     _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str | None) -> bool:
    """Constant-time check of ``password`` against a ``hash_password`` string."""
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p,
                          maxmem=256 * 1024 * 1024, dklen=_SCRYPT_LEN)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")



class AccountService:
    """Users, join codes and the evidence-view and clock records in ``store`` (anything with
    ``read()`` and ``write()`` session context managers, as ``detector.log.storage.Store``).
    ``now`` gives the current UTC time (the device clock, see ``DeviceClock``); tests pass
    their own to expire codes without waiting."""

    def __init__(self, store, now=utc_moment):
        self._store = store
        self._now = now

    # -- users ---------------------------------------------------------------------------------
    def needs_first_run(self) -> bool:
        """True until the first admin is made; never again after (even if that admin is
        removed later: setup is closed for good)."""
        with self._store.read() as session:
            return session.get(SetupClaim, 1) is None

    def create_first_admin(self, username: str, password: str, display_name: str) -> UserInfo:
        """The first admin, and the setup claim in the same transaction: of concurrent calls
        exactly one succeeds, the others get ``web.error.setup_done``."""
        user = self._new_user(username, password, "admin", display_name)
        with self._store.write() as session:
            if session.get(SetupClaim, 1) is not None:
                raise AccountError("web.error.setup_done")
            info = self._add(session, user)
            session.add(SetupClaim(id=1, user_id=info.id, claimed_at=user.created_at))
            try:
                session.flush()
            except IntegrityError as exc:  # another setup committed between our read and write
                raise AccountError("web.error.setup_done") from exc
            return info

    def create_user(self, username: str, password: str, role: str,
                    display_name: str = "") -> UserInfo:
        return self._insert(self._new_user(username, password, role, display_name))

    def _new_user(self, username: str, password: str, role: str, display_name: str) -> User:
        username = username.strip()
        if role not in ROLES or role == "volunteer":
            raise AccountError("web.error.bad_role", f"role {role!r}")
        if not username or len(username) > 64 or not username.isprintable():
            raise AccountError("web.error.bad_username")
        if refused_character(display_name) is not None:
            raise AccountError("web.error.bad_display_name")
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError("web.error.short_password")
        return User(username=username, display_name=(display_name.strip() or username)[:128],
                    role=role, password_hash=hash_password(password),
                    created_at=format_utc(self._now()), disabled=False)

    def _insert(self, user: User) -> UserInfo:
        with self._store.write() as session:
            return self._add(session, user)

    @staticmethod
    def _add(session, user: User) -> UserInfo:
        taken = session.scalar(select(User.id).where(User.username == user.username))
        if taken is not None:
            raise AccountError("web.error.username_taken")
        session.add(user)
        try:
            session.flush()
        except IntegrityError as exc:  # the same name taken by a concurrent request
            raise AccountError("web.error.username_taken") from exc
        return _info(user)

    def authenticate(self, username: str, password: str) -> UserInfo | None:
        with self._store.read() as session:
            user = session.scalar(select(User).where(User.username == username.strip()))
            if user is None:
                verify_password(password, _DUMMY_HASH)  # same cost whether or not the user exists
                return None
            if not verify_password(password, user.password_hash) or not self._active(user):
                return None
            return _info(user)

    def get_user(self, user_id: int) -> UserInfo | None:
        """The user, or None if unknown, disabled or lapsed (a volunteer after the day)."""
        with self._store.read() as session:
            user = session.get(User, user_id)
            return _info(user) if user is not None and self._active(user) else None

    def list_users(self) -> list[UserInfo]:
        with self._store.read() as session:
            users = session.scalars(select(User).order_by(User.id))
            return [_info(u) for u in users if self._active(u)]

    def set_language(self, user_id: int, language: str) -> None:
        with self._store.write() as session:
            user = session.get(User, user_id)
            if user is not None:
                user.language = language

    def disable_user(self, user_id: int) -> None:
        """Disable the user and end every session they hold."""
        with self._store.write() as session:
            user = session.get(User, user_id)
            if user is None:
                raise AccountError("web.error.no_such_user")
            user.disabled = True
            now = format_utc(self._now())
            for row in session.scalars(select(WebSession).where(
                    WebSession.user_id == user_id, WebSession.ended_at.is_(None))):
                row.ended_at = now

    # -- sessions ------------------------------------------------------------------------------
    def start_session(self, user_id: int) -> str:
        """A new session id for the cookie; the server keeps only its hash."""
        sid = secrets.token_urlsafe(32)
        with self._store.write() as session:
            session.add(WebSession(id=_session_key(sid), user_id=user_id,
                                   created_at=format_utc(self._now())))
        return sid

    def end_session(self, sid: str) -> None:
        with self._store.write() as session:
            row = session.get(WebSession, _session_key(sid))
            if row is not None and row.ended_at is None:
                row.ended_at = format_utc(self._now())

    def session_is_live(self, sid: str, user_id: int) -> bool:
        """The session was started for ``user_id``, is not ended, and the user is active."""
        with self._store.read() as session:
            row = session.get(WebSession, _session_key(sid))
            if row is None or row.ended_at is not None or row.user_id != user_id:
                return False
            user = session.get(User, user_id)
            return user is not None and self._active(user)

    def reset_password(self, user_id: int, password: str) -> UserInfo:
        """A new password set by an admin (a staff member who forgot theirs)."""
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError("web.error.short_password")
        with self._store.write() as session:
            user = session.get(User, user_id)
            if user is None or not self._active(user):
                raise AccountError("web.error.no_such_user")
            user.password_hash = hash_password(password)
            return _info(user)

    def _active(self, user: User) -> bool:
        if user.disabled:
            return False
        return user.expires_at is None or user.expires_at > format_utc(self._now())

    # -- volunteers ----------------------------------------------------------------------------
    def issue_join_code(self, created_by: int, ttl_s: float = JOIN_CODE_TTL_S) -> IssuedJoinCode:
        now = self._now()
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        expires_at = now + timedelta(seconds=ttl_s)
        with self._store.write() as session:
            session.add(JoinCode(code=code, created_by=created_by, created_at=format_utc(now),
                                 expires_at=format_utc(expires_at)))
        return IssuedJoinCode(code, expires_at)

    def redeem_join_code(self, code: str, display_name: str) -> UserInfo:
        """A volunteer account for the rest of the day, if ``code`` is known and unexpired."""
        code = code.strip().upper()
        display_name = display_name.strip()
        if not display_name or len(display_name) > 64 or refused_character(display_name):
            raise AccountError("web.error.bad_display_name")
        now = self._now()
        with self._store.read() as session:
            join = session.get(JoinCode, code)
            if join is None or join.expires_at <= format_utc(now):
                raise AccountError("web.error.bad_join_code")
        user = User(username=f"volunteer-{secrets.token_hex(4)}", display_name=display_name,
                    role="volunteer", password_hash=None, created_at=format_utc(now), disabled=False,
                    expires_at=format_utc(now + timedelta(seconds=VOLUNTEER_ACCOUNT_TTL_S)))
        return self._insert(user)

    # -- records -------------------------------------------------------------------------------
    def log_evidence_view(self, user: UserInfo, evidence_sha256: str,
                          inspection_id: str | None, remote_addr: str | None) -> None:
        with self._store.write() as session:
            session.add(EvidenceView(user_id=user.id, username=user.username,
                                     evidence_sha256=evidence_sha256, inspection_id=inspection_id,
                                     viewed_at=format_utc(self._now()), remote_addr=remote_addr or ""))

    def evidence_views(self, evidence_sha256: str | None = None) -> list[dict]:
        with self._store.read() as session:
            query = select(EvidenceView).order_by(EvidenceView.id)
            if evidence_sha256:
                query = query.where(EvidenceView.evidence_sha256 == evidence_sha256)
            return [{"username": v.username, "evidence_sha256": v.evidence_sha256,
                     "inspection_id": v.inspection_id, "viewed_at": v.viewed_at,
                     "remote_addr": v.remote_addr} for v in session.scalars(query)]

    def record_clock_fix(self, user: UserInfo, system_time: datetime, phone_time: datetime,
                         remote_addr: str | None) -> None:
        with self._store.write() as session:
            session.add(ClockFix(user_id=user.id, username=user.username,
                                 system_time=format_utc(system_time), phone_time=format_utc(phone_time),
                                 offset_s=(phone_time - system_time).total_seconds(),
                                 remote_addr=remote_addr or ""))

    def clock_fixes(self) -> list[dict]:
        with self._store.read() as session:
            return [{"username": f.username, "system_time": f.system_time,
                     "phone_time": f.phone_time, "offset_s": f.offset_s}
                    for f in session.scalars(select(ClockFix).order_by(ClockFix.id))]


_DUMMY_HASH = hash_password(secrets.token_hex(8))


def _session_key(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8", "replace")).hexdigest()


def _info(user: User) -> UserInfo:
    return UserInfo(id=user.id, username=user.username, display_name=user.display_name,
                    role=user.role, language=user.language)


class DeviceClock:
    """The device's idea of now: the system clock, or, when that was never set, the time a
    logged-in phone reported, carried forward by the system clock's own ticking.

    ``system_now`` is injectable so tests can play a Pi that booted in 1970.
    """

    def __init__(self, system_now=utc_moment):
        self._system_now = system_now
        self._offset = None

    def system_is_unset(self) -> bool:
        return self._system_now().year < CLOCK_UNSET_BEFORE_YEAR

    @property
    def needs_phone_time(self) -> bool:
        return self._offset is None and self.system_is_unset()

    @property
    def from_phone(self) -> bool:
        return self._offset is not None

    def source(self) -> str:
        """Where ``now()`` comes from, as each signed record states it."""
        return "phone" if self.from_phone else "system"

    def adopt_phone_time(self, phone_time: datetime) -> datetime:
        """Take ``phone_time`` as now; returns the system time it replaced."""
        if not CLOCK_UNSET_BEFORE_YEAR <= phone_time.year < CLOCK_LATEST_YEAR:
            raise AccountError("web.error.bad_phone_time")
        system_time = self._system_now()
        self._offset = phone_time - system_time
        return system_time

    def now(self) -> datetime:
        moment = self._system_now()
        return moment + self._offset if self._offset is not None else moment
