"""Atomic outputs: permissions like a normal file, old file kept on failure."""

import os

import pytest

from toolkit.atomic import OutputExistsError, atomic_output


def test_new_output_gets_normal_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        with atomic_output(tmp_path / "a.xlsx") as tmp:
            tmp.write_bytes(b"x")
    finally:
        os.umask(umask)
    assert (tmp_path / "a.xlsx").stat().st_mode & 0o777 == 0o644


def test_replaced_output_keeps_its_permissions(tmp_path):
    target = tmp_path / "a.xlsx"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    with atomic_output(target, force=True) as tmp:
        tmp.write_bytes(b"new")
    assert target.read_bytes() == b"new" and target.stat().st_mode & 0o777 == 0o640


def test_failure_keeps_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "a.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_output(target, force=True) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("crash")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.xlsx"]


def test_existing_output_refused_without_force(tmp_path):
    target = tmp_path / "a.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(OutputExistsError):
        with atomic_output(target):  # force=False is the default
            pass
