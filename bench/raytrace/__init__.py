"""Ray-traced restroom captures: scene code for Debian's POV-Ray 3.7, a renderer none of us
wrote, so the optics pipeline is judged on physics it was not built from (docs/raytraced.md).

Modules, in the order a capture is made:
- ``camera``: the handheld's pinhole pose, projection and walk (``walk``, ``aimed``);
- ``objects``: things as POV-Ray geometry: ``SpyLens`` (a cat's eye: ball lens, aperture stop,
  sensor cap in a black barrel), ``Emitter`` (LEDs), ``Prop`` (chrome, screws, droplets,
  mirror, glass), ``Housing``;
- ``housings``: the eight housings a lens hides in, the wall or ceiling, distractors and LEDs
  placed near a lens;
- ``place``: a whole place (``build_place``, ``add_object``, ``remove_object``) and its scene
  text for one frame (``scene_text``: camera, lamp with flicker, the two LED rings);
- ``sensor``: the NoIR camera's colour response and noise model;
- ``povray``: running POV-Ray (frames, then supersampled windows around small objects);
- ``seeds``: the TRAINING and BENCHMARK seed blocks (the benchmark block is never tuned on);
- ``capture``: one capture from its seed: frames, ``ansim-capture/1`` directory, truth entry;
- ``render``: ``python -m bench.raytrace.render`` re-renders every cached capture.

Building other material on it (change detection, say)::

    from bench.raytrace.camera import walk
    from bench.raytrace.housings import distractor_near
    from bench.raytrace.place import add_object, build_place, remove_object
    from bench.raytrace.povray import render_frames

    rng = np.random.default_rng(7)
    before = build_place(rng, "usb_charger", with_lens=False, leds=("blue",))
    after = add_object(before, distractor_near(before, rng, before.wall.face_mm, before.surface,
                                               kind="screw"))
    target = before.objects[0].face_mm  # the charger's face
    poses = walk(rng, target, target + [0, 0, -900], [250, 0, 0], (200, 180), (440, 180), 16)
    frames = render_frames([(after, pose, "on", 1.0) for pose in poses])  # linear BGR
"""
