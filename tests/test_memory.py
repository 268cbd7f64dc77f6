"""The ``ansim`` process keeps freed frame-sized blocks for reuse (``ansim.memory``)."""

import resource

import numpy as np
import pytest

from ansim.memory import keep_freed_memory

FRAME_BYTES = 1280 * 720 * 4  # a float32 map of a 1280x720 frame
PAGE_BYTES = resource.getpagesize()


def _page_faults_touching_a_new_block() -> int:
    before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
    block = np.ones(FRAME_BYTES, np.uint8)  # written through: every page touched
    faults = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before
    del block
    return faults


def test_a_freed_frame_sized_block_is_reused_without_fresh_pages():
    if not keep_freed_memory():
        pytest.skip("this C library has no mallopt (not glibc)")
    _page_faults_touching_a_new_block()  # the heap grows once
    # glibc's default maps such a block afresh each time: one fault per page, 900 here
    assert _page_faults_touching_a_new_block() < 0.05 * FRAME_BYTES / PAGE_BYTES
