"""Numba's cache of a kernel follows every file the kernel is built from, not only its own."""

from trainzip import kernel_cache


def _kernel_files(tmp_path):
    (tmp_path / "__pycache__").mkdir()
    layout, kernels = tmp_path / "layout.py", tmp_path / "kernels.py"
    layout.write_text("WIDTH = 8\n")
    kernels.write_text("from layout import WIDTH\n")
    cache = tmp_path / "__pycache__"
    cached = [cache / "kernels.predict-12.py311.nbi", cache / "kernels.predict-12.py311.1.nbc",
              cache / "layout.helper-3.py311.nbi"]
    return [layout, kernels], cached


def test_a_change_in_any_source_drops_the_cached_kernels(tmp_path):
    """Stamped, then unchanged: the cache stays; one constant changes in another file: it goes."""
    sources, cached = _kernel_files(tmp_path)
    kernel_cache.refresh(sources)
    for path in cached:
        path.write_bytes(b"machine code")
    assert kernel_cache.refresh(sources) == []
    assert all(path.exists() for path in cached)
    sources[0].write_text("WIDTH = 16\n")
    assert sorted(kernel_cache.refresh(sources)) == sorted(cached)
    assert not any(path.exists() for path in cached)


def test_other_modules_caches_are_left_alone(tmp_path):
    """Only the kernels' own cache files are dropped."""
    sources, _ = _kernel_files(tmp_path)
    other = tmp_path / "__pycache__" / "limits.sample-5.py311.nbi"
    other.write_bytes(b"machine code")
    kernel_cache.refresh(sources)
    assert other.exists()
