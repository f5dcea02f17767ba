"""Landlock: the worker confines its own file, network and signal access when bubblewrap is missing.

Landlock (Linux 5.13 and later) lets an unprivileged process drop access rights for good, with no
namespace and no root: after `restrict`, the worker reads only the folders it was given (its
runtime, the Python installation, numpy and the assignment's packages, system libraries), writes
only its own work folder, cannot connect or bind a TCP socket (ABI 4+), and cannot signal or
reach the abstract sockets of processes outside its domain (ABI 6+). So without bubblewrap the
reference, the hidden tests, the labels and the other submissions stay out of reach even where
file permissions would let the worker's uid read them.

Copied next to worker.py into the sandbox's runtime folder (stdlib only); the folders are opened
before the worker drops root (they may sit under a mode-700 /root), the rules applied after.
"""
from __future__ import annotations

import ctypes
import os
import struct

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # the same numbers on x86_64 and aarch64
_VERSION = 1 << 0  # landlock_create_ruleset flag: return the ABI version
_PATH_BENEATH = 1

_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_FILE_RIGHTS = _EXECUTE | _WRITE_FILE | _READ_FILE | (1 << 14) | (1 << 15)  # + TRUNCATE, IOCTL_DEV
_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
"""Every filesystem right each ABI knows (REFER from 2, TRUNCATE from 3, IOCTL_DEV from 5)."""
_NET_TCP = (1 << 0) | (1 << 1)  # bind, connect (ABI 4)
_SCOPES = (1 << 0) | (1 << 1)  # abstract unix sockets, signals (ABI 6)
READ = _EXECUTE | _READ_FILE | _READ_DIR


def abi() -> int:
    """The kernel's Landlock ABI version, 0 when it has none (or it is disabled)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        version = libc.syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_VERSION))
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


def open_paths(readable: list[str], writable: list[str]) -> list[tuple[int, int]]:
    """(O_PATH fd, rights) for each existing path, opened now (as root, before the drop)."""
    found = []
    for paths, rights in ((readable, READ), (writable, -1)):
        for path in dict.fromkeys(paths):
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            is_dir = os.path.isdir(f"/proc/self/fd/{fd}")
            found.append((fd, rights if is_dir else rights & _FILE_RIGHTS))
    return found


def restrict(paths: list[tuple[int, int]]) -> int:
    """Apply the rules to this process for good; returns the ABI used (0: not available).
    Needs no_new_privs (set by the caller) or CAP_SYS_ADMIN."""
    version = abi()
    if version == 0:
        return 0
    handled_fs = _FS_BY_ABI[max(v for v in _FS_BY_ABI if v <= version)]
    net = _NET_TCP if version >= 4 else 0
    scoped = _SCOPES if version >= 6 else 0
    attr = struct.pack("QQQ", handled_fs, net, scoped)[: 8 if version < 4 else 16 if version < 6 else 24]
    libc = ctypes.CDLL(None, use_errno=True)
    ruleset = libc.syscall(_CREATE_RULESET, attr, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0))
    if ruleset < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset failed")
    try:
        for fd, rights in paths:
            rule = struct.pack("=Qi", rights & handled_fs, fd)
            if libc.syscall(_ADD_RULE, ruleset, ctypes.c_uint32(_PATH_BENEATH), rule, ctypes.c_uint32(0)) < 0:
                raise OSError(ctypes.get_errno(), "landlock_add_rule failed")
        if libc.syscall(_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)) < 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self failed")
    finally:
        os.close(ruleset)
        for fd, _ in paths:
            os.close(fd)
    return version
