"""Where the simulated inspector holds the handheld, shared by the simulated radio and camera.

An inspection does its steps in whatever order and for however long they take, so the pose is
not tied to the scene's global path time: ``move_to(zone)`` puts the inspector at that zone, and
from then on the pose follows that zone's stretch of the path by the time spent there (going
back and forth along it if the step lasts longer than the stretch), on the shared
``SimulatedClock``.

Example::

    handheld = SimulatedHandheld(build_restroom(seed=1), SimulatedClock())
    handheld.move_to("door_hook")
    pose = handheld.pose()
"""

from hardware.clock import SimulatedClock
from hardware.sim.restroom import RF_SWEEP_ZONE
from hardware.sim.scene import Pose, Scene


class SimulatedHandheld:
    """The inspector's position in the simulated stall."""

    def __init__(self, scene: Scene, clock: SimulatedClock, zone: str = RF_SWEEP_ZONE):
        self.scene = scene
        self.clock = clock
        self.zone = zone
        self._entered_s = clock.now_s()
        self._window_s = scene.zone_window_s(zone)

    def move_to(self, zone: str) -> None:
        """Walk to ``zone`` (one of ``scene.zones``) and start sweeping it now."""
        self._window_s = self.scene.zone_window_s(zone)
        self.zone = zone
        self._entered_s = self.clock.now_s()

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
