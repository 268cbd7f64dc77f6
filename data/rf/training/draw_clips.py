"""Draw the TRAINING clips ``training_tunnel.mp4`` and ``training_spotlight.mp4`` (numpy frames,
H.264 through PyAV): pictures that are dark over much of the frame, as a camera in a dim room
sees, moving every frame. Run: ``python data/rf/training/draw_clips.py data/rf/training``."""

import sys

import av
import numpy as np

WIDTH, HEIGHT, FRAME_RATE, SECONDS = 352, 288, 25, 2


def tunnel(t_s, y, x):
    """Rings flying out of a black centre whose size breathes: a dark middle, a bright edge."""
    r = np.hypot(x - WIDTH / 2 - 30 * np.sin(1.3 * t_s), y - HEIGHT / 2 - 20 * np.cos(0.9 * t_s))
    hole = 60 + 40 * np.sin(2.1 * t_s)
    return np.where(r < hole, 16, 128 + 100 * np.sin(r / 6 - 14 * t_s))


def spotlight(t_s, y, x):
    """A dark room, a faint moving texture, and a torch beam wandering across it."""
    cx = WIDTH / 2 + 120 * np.sin(0.8 * t_s)
    cy = HEIGHT / 2 + 80 * np.sin(1.7 * t_s + 1)
    beam = 200 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * 40 ** 2))
    return 18 + 8 * np.sin(x / 9 + y / 13 + 3 * t_s) + beam


CLIPS = {"tunnel": tunnel, "spotlight": spotlight}


def main(out_dir: str) -> None:
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH].astype(float)
    for name, draw in CLIPS.items():
        with av.open(f"{out_dir}/training_{name}.mp4", "w") as container:
            stream = container.add_stream("libx264", rate=FRAME_RATE)
            stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
            stream.options = {"crf": "30", "preset": "veryslow"}
            for k in range(FRAME_RATE * SECONDS):
                luma = np.clip(draw(k / FRAME_RATE, y, x), 16, 235).astype(np.uint8)
                frame = av.VideoFrame.from_ndarray(np.stack([luma] * 3, -1), format="rgb24")
                for packet in stream.encode(frame):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)


if __name__ == "__main__":
    main(sys.argv[1])
