"""Finding 17: off the Pi the data directory, ansim.db and evidence were world-readable
(restroom images, password hashes), the key's mode was not checked at load, and ``--token``
showed the hub token in ``ps``. Now what ansim creates is 0700/0600 whatever the umask, a key
file others can read is refused for signing (with the fix named), and the token can come
from a file or the environment (``--token`` still works, with a warning)."""

import os
import stat

import pytest

from ansim.cli import main
from detector.log.evidence import EvidenceStore
from detector.log.signing import KeyFileExposed
from tests.support.signed_log import new_log, open_device, sign, verify


@pytest.fixture
def open_umask():
    saved = os.umask(0o022)
    yield
    os.umask(saved)


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_what_ansim_creates_is_its_owners_alone(tmp_path, open_umask):
    data = new_log(tmp_path / "data")
    with open_device(data) as service:
        sign(service, 1)
        ref = EvidenceStore(data / "evidence").put_bytes(b"a lens crop", kind="lens_crop",
                                                         media_type="image/png")
        assert _mode(data / "ansim.db-wal") == 0o600
    assert _mode(data) == 0o700
    for name in ("ansim.db", "ansim.db.lock", "device_key.pem", "chain-head.json"):
        assert _mode(data / name) == 0o600, name
    evidence = EvidenceStore(data / "evidence").path_for(ref.sha256)
    assert _mode(evidence) == 0o600
    assert _mode(evidence.parent) == _mode(data / "evidence") == 0o700


def test_an_existing_open_data_directory_is_tightened(tmp_path, open_umask):
    data = new_log(tmp_path / "data")
    os.chmod(data, 0o755)
    os.chmod(data / "ansim.db", 0o644)
    with open_device(data):
        pass
    assert _mode(data) == 0o700 and _mode(data / "ansim.db") == 0o600


def test_a_key_others_can_read_is_refused_for_signing_but_the_log_still_verifies(
        tmp_path, capsys):
    data = new_log(tmp_path / "data")
    with open_device(data) as service:
        sign(service, 1)
    os.chmod(data / "device_key.pem", 0o644)
    with pytest.raises(KeyFileExposed, match="chmod 600"):
        open_device(data, write=True)
    assert verify(capsys, data)["ok"]


def _sync(capsys, data, *options, env=None):
    with open_device(data):  # the device's key exists
        pass
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        code = main(["--lang", "en", "log", "sync", "--data", str(data),
                     "--hub", "http://127.0.0.1:9", *options])
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return code, capsys.readouterr().err


def test_the_hub_token_comes_from_a_file_or_the_environment_without_a_warning(tmp_path,
                                                                              capsys):
    data = new_log(tmp_path / "data")
    token_file = tmp_path / "token"
    token_file.write_text("secret-from-file\n")
    code, err = _sync(capsys, data, "--token-file", str(token_file))
    assert code == 1 and "Could not reach the hub" in err and "Warning" not in err
    assert "secret-from-file" in (data / "hub.json").read_text()
    assert _mode(data / "hub.json") == 0o600

    code, err = _sync(capsys, data, env={"ANSIM_HUB_TOKEN": "secret-from-env"})
    assert code == 1 and "Warning" not in err
    assert "secret-from-env" in (data / "hub.json").read_text()


def test_a_token_on_the_command_line_still_works_with_a_warning(tmp_path, capsys):
    data = new_log(tmp_path / "data")
    code, err = _sync(capsys, data, "--token", "secret-on-the-command-line")
    assert code == 1 and "visible to every user of this machine (ps)" in err
    assert "secret-on-the-command-line" in (data / "hub.json").read_text()
