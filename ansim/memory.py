"""How the C allocator treats large freed blocks, set once for the ``ansim`` process.

glibc's malloc gives a freed block of more than 128 KiB straight back to the kernel (it was
mapped on its own, or it trims the heap's top), so the next allocation of that size is mapped
afresh and the kernel zero-fills each of its pages on first touch. The optics pipeline makes a
few dozen such temporaries per 1280x720 frame (the greyscale frame, contrast maps, warps, the
lock-in map's window): about 2,000 page faults a frame, a third of its CPU time on one core
(``ansim bench optics``). Keeping freed blocks of up to ``KEEP_BLOCK_BYTES`` in the heap, and
up to ``KEEP_FREE_BYTES`` of free heap, lets the next frame reuse the same pages.
"""

import ctypes

#: mallopt's parameter numbers (glibc's malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
#: Blocks up to this size come from the heap: the largest per-frame temporary is a few MiB,
#: and 32 MiB is the most glibc's own adaptive threshold would grow to.
KEEP_BLOCK_BYTES = 32 * 1024 * 1024
#: Free heap kept rather than returned to the kernel: a frame's temporaries with room to spare,
#: small beside a Raspberry Pi 4's memory.
KEEP_FREE_BYTES = 64 * 1024 * 1024


def keep_freed_memory() -> bool:
    """Ask the C library to keep freed large blocks for reuse; False where it has no
    ``mallopt`` (not glibc) or refuses."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(M_MMAP_THRESHOLD, KEEP_BLOCK_BYTES)) and bool(
        mallopt(M_TRIM_THRESHOLD, KEEP_FREE_BYTES))
