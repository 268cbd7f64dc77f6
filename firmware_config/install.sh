#!/usr/bin/env bash
# Turn a fresh Raspberry Pi OS (Bookworm, Lite) into the ansim handheld.
#
#   sudo firmware_config/install.sh [--read-only-root] [--country CC]
#   firmware_config/install.sh --target-root DIR [--read-only-root] [--country CC]
#
# On the live system (no --target-root, or --target-root /) it installs the Debian packages,
# creates the "ansim" system user in the plugdev, video and gpio groups, builds the venv in
# /opt/ansim/venv (with --system-site-packages, for python3-picamera2 and python3-lgpio),
# installs every configuration file below, and enables the services.
#
# With --target-root DIR it writes every file into DIR instead (for building images, and for
# tests) and runs nothing against the live system: the commands that need it (apt-get,
# useradd, pip, raspi-config, ...) are listed as "deferred" in DIR/etc/ansim/install-manifest,
# for an image builder to run inside the image (or simply run this script there, in a chroot).
# Enabling the units is done offline with "systemctl --root DIR", which touches only DIR.
#
# Idempotent: a second run changes nothing. Files it owns are rewritten only when their content
# differs; lines it adds to config.txt and fstab are added once; /etc/ansim/profile.toml is
# installed only if absent, so local edits survive.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE=$(dirname "$HERE")
ROOT=/
READ_ONLY_ROOT=no
COUNTRY=KR
TIMEZONE=Asia/Seoul
VENV=/opt/ansim/venv
DATA_DIR=/var/lib/ansim
DATA_LABEL=ansim-data
BOOT=/boot/firmware
PACKAGES=(python3-venv python3-pip python3-picamera2 python3-libcamera python3-lgpio
          rtl-sdr librtlsdr0 network-manager console-setup nginx iw ieee-data)
GROUPS_NEEDED=(plugdev video gpio)
UNITS=(ansim.service ansim-hotspot.service)
SRC_DIR=/opt/ansim/src
SOURCE_PARTS=(pyproject.toml README.md ansim detector hardware rf optics web bench testkit)
SOURCE_CHANGED=no

usage() {
    sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

die() {
    echo "install.sh: $*" >&2
    exit 1
}

while [ $# -gt 0 ]; do
    case "$1" in
        --target-root) [ $# -ge 2 ] || die "--target-root needs a directory"; ROOT=$2; shift 2 ;;
        --target-root=*) ROOT=${1#*=}; shift ;;
        --read-only-root) READ_ONLY_ROOT=yes; shift ;;
        --country) [ $# -ge 2 ] || die "--country needs a code like KR"; COUNTRY=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option '$1' (see --help)" ;;
    esac
done

[[ "$COUNTRY" =~ ^[A-Z]{2}$ ]] || die "--country: '$COUNTRY' is not a two-letter country code"
[ -d "$ROOT" ] || die "--target-root: '$ROOT' is not a directory"
ROOT=$(cd "$ROOT" && pwd -P)
if [ "$ROOT" = / ]; then
    LIVE=yes
    PREFIX=""
    [ "$(id -u)" -eq 0 ] || die "run as root (sudo), or give --target-root DIR"
else
    LIVE=no
    PREFIX=$ROOT
fi

MANAGED=()   # files this run manages, for the manifest
DEFERRED=()  # commands left for the live system (target-root installs only)

# Run a shell command on the live system, or record it for later when installing into a target
# root. Every command is written so that running it again does no harm.
act() {
    if [ "$LIVE" = yes ]; then
        bash -c "set -euo pipefail; $1"
    else
        DEFERRED+=("$1")
    fi
}

# Install SRC as DEST (a path on the device) with MODE, only if its content or mode differs.
put() {
    local src=$1 dest=$PREFIX$2 mode=$3
    mkdir -p "$(dirname "$dest")"
    if ! cmp -s "$src" "$dest"; then
        install -m "$mode" "$src" "$dest"
        echo "installed $2"
    elif [ "$(stat -c %a "$dest")" != "${mode#0}" ]; then
        chmod "$mode" "$dest"
    fi
    MANAGED+=("$2")
}

# Install SRC as DEST only if DEST does not exist yet (files the owner edits afterwards).
put_once() {
    if [ ! -e "$PREFIX$2" ]; then
        put "$@"
    else
        MANAGED+=("$2")
    fi
}

# Make sure FILE (a path on the device) holds LINE, appending it once.
ensure_line() {
    local file=$PREFIX$1 line=$2
    mkdir -p "$(dirname "$file")"
    [ -e "$file" ] || : > "$file"
    if ! grep -qxF -- "$line" "$file"; then
        # Do not glue the line onto a last line that lacks its newline.
        if [ -s "$file" ] && [ -n "$(tail -c 1 "$file")" ]; then
            echo >> "$file"
        fi
        printf '%s\n' "$line" >> "$file"
        echo "added to $1: $line"
    fi
    MANAGED+=("$1")
}

install_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        if [ "$LIVE" = no ] || ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
                | grep -q "install ok installed"; then
            missing+=("$p")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    act "apt-get update -qq"
    act "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ${missing[*]}"
}

create_user() {
    local group
    for group in "${GROUPS_NEEDED[@]}"; do
        act "getent group $group > /dev/null || groupadd --system $group"
    done
    act "getent passwd ansim > /dev/null || useradd --system --user-group --home-dir $DATA_DIR --no-create-home --shell /usr/sbin/nologin ansim"
    act "usermod --append --groups $(IFS=,; echo "${GROUPS_NEEDED[*]}") ansim"
}

# Copy ansim's source to /opt/ansim/src (replacing it only if something changed) and install it
# into the venv from there, so an image carries its own copy.
copy_source() {
    local staged changed=no
    staged=$(mktemp -d)
    tar -C "$SOURCE" --exclude=__pycache__ --exclude='*.pyc' -cf - "${SOURCE_PARTS[@]}" \
        | tar -C "$staged" -xf -
    if ! diff -rq "$staged" "$PREFIX$SRC_DIR" > /dev/null 2>&1; then
        rm -rf "$PREFIX$SRC_DIR"
        mkdir -p "$(dirname "$PREFIX$SRC_DIR")"
        cp -R "$staged" "$PREFIX$SRC_DIR"
        chmod -R u=rwX,go=rX "$PREFIX$SRC_DIR"
        echo "installed $SRC_DIR"
        changed=yes
    fi
    rm -rf "$staged"
    MANAGED+=("$SRC_DIR/pyproject.toml")
    SOURCE_CHANGED=$changed
}

build_venv() {
    put "$HERE/pip-constraints.txt" /opt/ansim/pip-constraints.txt 0644
    copy_source
    act "[ -x $VENV/bin/python ] || python3 -m venv --system-site-packages $VENV"
    if [ "$LIVE" = no ] || [ "$SOURCE_CHANGED" = yes ] || [ ! -x "$VENV/bin/ansim" ]; then
        act "$VENV/bin/pip install --quiet --disable-pip-version-check --constraint /opt/ansim/pip-constraints.txt $SRC_DIR"
    fi
}

install_files() {
    put "$HERE/systemd/ansim.service" /etc/systemd/system/ansim.service 0644
    put "$HERE/systemd/ansim-hotspot.service" /etc/systemd/system/ansim-hotspot.service 0644
    put "$HERE/systemd/system.conf.d/60-ansim-watchdog.conf" \
        /etc/systemd/system.conf.d/60-ansim-watchdog.conf 0644
    put "$HERE/journald/60-ansim.conf" /etc/systemd/journald.conf.d/60-ansim.conf 0644
    put "$HERE/udev/60-ansim-rtlsdr.rules" /etc/udev/rules.d/60-ansim-rtlsdr.rules 0644
    put "$HERE/udev/70-ansim-wifi.rules" /etc/udev/rules.d/70-ansim-wifi.rules 0644
    put "$HERE/systemd/ansim-wifi-monitor.service" \
        /etc/systemd/system/ansim-wifi-monitor.service 0644
    put "$HERE/NetworkManager/ansim-wifi-monitor.conf" \
        /etc/NetworkManager/conf.d/ansim-wifi-monitor.conf 0644
    put "$HERE/modprobe/ansim-rtlsdr-blacklist.conf" \
        /etc/modprobe.d/ansim-rtlsdr-blacklist.conf 0644
    put_once "$HERE/profile.toml" /etc/ansim/profile.toml 0644
    put "$HERE/boot/ansim-config.txt" "$BOOT/ansim-config.txt" 0644
    ensure_line "$BOOT/config.txt" "include ansim-config.txt"
    front_door
}

# nginx is the front door on port 80 (firmware_config/nginx/ansim.conf); ansim serves on
# loopback behind it. Debian's default site would take port 80 too, so it is disabled.
front_door() {
    put "$HERE/nginx/ansim.conf" /etc/nginx/sites-available/ansim 0644
    mkdir -p "$PREFIX/etc/nginx/sites-enabled"
    if [ "$(readlink "$PREFIX/etc/nginx/sites-enabled/ansim" 2> /dev/null)" != \
            /etc/nginx/sites-available/ansim ]; then
        ln -sfn /etc/nginx/sites-available/ansim "$PREFIX/etc/nginx/sites-enabled/ansim"
        echo "enabled the nginx site ansim"
    fi
    if [ -e "$PREFIX/etc/nginx/sites-enabled/default" ] \
            || [ -L "$PREFIX/etc/nginx/sites-enabled/default" ]; then
        rm -f "$PREFIX/etc/nginx/sites-enabled/default"
        echo "disabled the nginx site default"
    fi
    MANAGED+=("/etc/nginx/sites-enabled/ansim")
}

apply_live() {
    act "systemctl daemon-reload"
    act "udevadm control --reload-rules && udevadm trigger --subsystem-match=usb --action=add"
    act "! grep -q '^dvb_usb_rtl28xxu ' /proc/modules || modprobe --remove dvb_usb_rtl28xxu"
    act "systemctl restart systemd-journald.service"
    act "systemctl enable nginx.service && nginx -t -q && systemctl reload-or-restart nginx.service"
    # Raspberry Pi OS keeps Wi-Fi blocked until a country is set; the hotspot needs it.
    act "raspi-config nonint do_wifi_country $COUNTRY"
    # Records are stamped in UTC either way; the console, the journal and any tool that shows
    # local time then agree with the dashboard, which shows Seoul's time.
    act "timedatectl set-timezone $TIMEZONE"
}

enable_units() {
    if [ "$LIVE" = yes ]; then
        systemctl enable "${UNITS[@]}"
        systemctl restart ansim.service
        # Not restarted now: the hotspot takes wlan0 over, which would cut an SSH session
        # that came in over Wi-Fi. It comes up at the next boot.
        echo "the hotspot (ansim-hotspot.service) starts at the next boot"
    else
        # Offline: only creates the wants/ symlinks under the target root.
        systemctl --root="$ROOT" --quiet enable "${UNITS[@]}" 2> /dev/null
        MANAGED+=("/etc/systemd/system/multi-user.target.wants/ansim.service"
                  "/etc/systemd/system/multi-user.target.wants/ansim-hotspot.service")
    fi
}

read_only_root() {
    # The data directory on its own ext4 partition, labelled ansim-data; the root filesystem
    # under an overlay in RAM (overlayroot), which leaves other mounts writable (recurse=0).
    if [ "$LIVE" = yes ] && ! blkid -L "$DATA_LABEL" > /dev/null; then
        die "--read-only-root: no partition labelled $DATA_LABEL; create one first, e.g.
    sudo mkfs.ext4 -L $DATA_LABEL /dev/mmcblk0p3   (see hardware/README.md)"
    fi
    ensure_line /etc/fstab \
        "LABEL=$DATA_LABEL $DATA_DIR ext4 defaults,noatime,commit=5,errors=remount-ro,x-systemd.device-timeout=10s 0 2"
    act "raspi-config nonint do_overlayfs 0"
    act "sed -i 's/overlayroot=tmpfs\\( \\|\$\\)/overlayroot=tmpfs:recurse=0\\1/' $BOOT/cmdline.txt"
}

write_manifest() {
    local manifest=$PREFIX/etc/ansim/install-manifest tmp path sum command
    tmp=$(mktemp)
    {
        echo "# ansim install manifest: the files install.sh manages (sha256 of their content"
        echo "# after the run) and, for a target-root install, the commands left for the live"
        echo "# system, in order."
        echo "read-only-root $READ_ONLY_ROOT"
        for path in "${MANAGED[@]}"; do
            if [ -L "$PREFIX$path" ]; then
                # Absolute link targets name paths on the device, not on this machine.
                echo "link $path $(readlink "$PREFIX$path")"
            else
                sum=$(sha256sum < "$PREFIX$path" | cut -d' ' -f1)
                echo "file $path $sum"
            fi
        done
        for command in "${DEFERRED[@]}"; do
            echo "deferred $command"
        done
    } > "$tmp"
    mkdir -p "$(dirname "$manifest")"
    if ! cmp -s "$tmp" "$manifest"; then
        install -m 0644 "$tmp" "$manifest"
    fi
    rm -f "$tmp"
}

install_packages
create_user
build_venv
install_files
if [ "$READ_ONLY_ROOT" = yes ]; then
    read_only_root
fi
apply_live
enable_units
write_manifest
echo "ansim installed into $ROOT (manifest: /etc/ansim/install-manifest)"
