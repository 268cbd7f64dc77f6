"""The front door install.sh sets up: Debian's nginx on port 80 with ansim's site, Debian's
default site disabled, ansim itself on loopback behind it believing only nginx's
X-Forwarded-For; and the site file is one the real nginx accepts (``nginx -t``)."""

import shutil
import subprocess

from tests.firmware.conftest import FIRMWARE, run_install
from testkit.front_door import render_site


def test_debians_default_site_is_disabled_and_ansims_enabled(tmp_path):
    enabled = tmp_path / "etc/nginx/sites-enabled"
    enabled.mkdir(parents=True)
    (enabled / "default").symlink_to("/etc/nginx/sites-available/default")
    (tmp_path / "boot/firmware").mkdir(parents=True)
    run_install(tmp_path)
    assert sorted(p.name for p in enabled.iterdir()) == ["ansim"]
    assert str((enabled / "ansim").readlink()) == "/etc/nginx/sites-available/ansim"
    manifest = (tmp_path / "etc/ansim/install-manifest").read_text()
    deferred = [line for line in manifest.splitlines() if line.startswith("deferred ")]
    assert any("apt-get install" in line and " nginx" in line for line in deferred)
    assert any("nginx -t" in line and "reload-or-restart nginx" in line for line in deferred)


def test_ansim_serves_on_loopback_behind_the_front_door():
    unit = (FIRMWARE / "systemd/ansim.service").read_text()
    start = [line for line in unit.splitlines() if line.startswith("ExecStart=")][0].split()
    assert start[start.index("--host") + 1] == "127.0.0.1"
    assert start[start.index("--trusted-proxy") + 1] == "127.0.0.1"
    site = (FIRMWARE / "nginx/ansim.conf").read_text()
    assert f"server 127.0.0.1:{start[start.index('--port') + 1]};" in site
    assert "CAP_NET_BIND_SERVICE" not in unit  # nginx holds port 80, ansim needs no capability


def test_the_real_nginx_accepts_the_site(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    (tmp_path / "ansim.conf").write_text(render_site(18080, 18081), encoding="utf-8")
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
                    f"events {{}}\nhttp {{ include {tmp_path}/ansim.conf; }}\n", encoding="utf-8")
    checked = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(conf)],
                             capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
