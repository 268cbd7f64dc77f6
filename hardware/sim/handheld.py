"""Where the simulated inspector holds the handheld, shared by the simulated radio and camera.

An inspection does its steps in whatever order and for however long they take, so the pose is
not tied to the scene's global path time: ``move_to(zone)`` puts the inspector at that zone, and
from then on the pose follows that zone's stretch of the path by the time spent there (going
back and forth along it if the step lasts longer than the stretch), on the shared
``SimulatedClock``.

A restroom has several stalls; the simulated one hides its one camera in stall
``CAMERA_STALL`` (as the README says: one hidden camera). Every other stall is the same stall
without it: ``surfaces()`` leaves the camera's lens out there, and ``emitters()`` hears its
transmitter through the partition (``PARTITION_LOSS_DB`` more), so a multi-stall inspection
finds the lens once, in its own stall, and the transmitter strongest there.

Example::

    handheld = SimulatedHandheld(build_restroom(seed=1), SimulatedClock())
    handheld.move_to("door_hook", stall=2)
    pose = handheld.pose()
"""

from dataclasses import replace

from hardware.clock import SimulatedClock
from hardware.sim.restroom import RF_SWEEP_ZONE
from hardware.sim.scene import Pose, Scene

#: The stall that holds the hidden camera.
CAMERA_STALL = 1
#: What a stall partition (laminate or steel panels) takes from a 0.9-1.3 GHz signal from the
#: next stall, on top of the path: a few dB for the panel and more for the detour round it.
PARTITION_LOSS_DB = 10.0


class SimulatedHandheld:
    """The inspector's position in the simulated stall."""

    def __init__(self, scene: Scene, clock: SimulatedClock, zone: str = RF_SWEEP_ZONE):
        self.scene = scene
        self.clock = clock
        self.zone = zone
        self.stall = CAMERA_STALL
        self._entered_s = clock.now_s()
        self._window_s = scene.zone_window_s(zone)

    def move_to(self, zone: str, stall: int = CAMERA_STALL) -> None:
        """Walk to ``zone`` (one of ``scene.zones``) of ``stall`` and start sweeping it now."""
        self._window_s = self.scene.zone_window_s(zone)
        self.zone = zone
        self.stall = stall
        self._entered_s = self.clock.now_s()

    def surfaces(self) -> list:
        """What the camera can see in the stall the inspector is in."""
        if self.stall == CAMERA_STALL:
            return list(self.scene.surfaces)
        return [s for s in self.scene.surfaces if not s.is_hidden_camera]

    def emitters(self) -> list:
        """What the radio can hear from the stall the inspector is in."""
        if self.stall == CAMERA_STALL:
            return list(self.scene.emitters)
        return [replace(e, wall_loss_db=e.wall_loss_db + PARTITION_LOSS_DB)
                if e.is_hidden_camera else e for e in self.scene.emitters]

    def pose(self) -> Pose:
        return self.pose_at(self.clock.now_s())

    def pose_at(self, t_s: float) -> Pose:
        """The pose at clock time ``t_s`` (not before the current zone was entered)."""
        start_s, end_s = self._window_s
        span_s = end_s - start_s
        elapsed_s = max(t_s - self._entered_s, 0.0)
        if span_s <= 0:
            return self.scene.pose_at(start_s)
        lap, within_s = divmod(elapsed_s, span_s)
        offset_s = span_s - within_s if int(lap) % 2 else within_s
        return self.scene.pose_at(start_s + offset_s)
