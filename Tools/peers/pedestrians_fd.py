#!/usr/bin/env python3
"""JuPedSim's models on the RiMEA 4 corridor, for comparison with our fundamental-diagram test.

JuPedSim has no periodic boundary, so the corridor (WIDTH m, default 2; RiMEA's own form
is 10) is 200 m long and filled at density RHO over x in [0, 80] m (random non-overlapping
discs, r = RADIUS, v0 = 1.34 m/s). The agents between x = 30 and 50 m at t = 10 s (in a
corridor wider than 2 m only those at least 2 m from the walls) are followed to t = 25 s,
well behind the dissolving front; their mean forward speed is printed.

Usage: Tools/peers/pedestrians_fd.py MODEL RHO SEED [WIDTH [RADIUS]]   (MODEL: cfsm, avm, sfm, gcfm;
RADIUS default 0.2 m; the centrifugal model keeps its own ellipses)
Needs jupedsim and shapely (Tools/bench-setup.sh).
"""
import random
import sys

import jupedsim as jps
import shapely

SPEED = 1.34


def agent(model, position, journey, stage, radius):
    kinds = {
        "cfsm": jps.CollisionFreeSpeedModelAgentParameters,
        "avm": jps.AnticipationVelocityModelAgentParameters,
        "sfm": jps.SocialForceModelAgentParameters,
    }
    if model == "gcfm":
        # Elliptical bodies from the model's own (JuPedSim default) axes; no radius.
        return jps.GeneralizedCentrifugalForceModelAgentParameters(
            position=position, journey_id=journey, stage_id=stage, desired_speed=SPEED)
    return kinds[model](position=position, journey_id=journey, stage_id=stage, radius=radius, desired_speed=SPEED)


def main():
    model, rho, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    width = float(sys.argv[4]) if len(sys.argv) > 4 else 2.0
    radius = float(sys.argv[5]) if len(sys.argv) > 5 else 0.2
    margin = 2.0 if width > 2 else 0.0
    rng = random.Random(seed)
    models = {"cfsm": jps.CollisionFreeSpeedModel, "avm": jps.AnticipationVelocityModel, "sfm": jps.SocialForceModel,
              "gcfm": jps.GeneralizedCentrifugalForceModel}
    dt = 0.05 if model in ("cfsm", "avm") else 0.01
    sim = jps.Simulation(model=models[model](), geometry=shapely.box(0, 0, 200, width), dt=dt)
    exit_id = sim.add_exit_stage(shapely.box(199, 0, 200, width))
    journey = sim.add_journey(jps.JourneyDescription([exit_id]))
    n = int(rho * 80 * width)
    points, cells, gap = [], {}, 2 * radius + 0.02
    while len(points) < n:
        p = (rng.uniform(0.25, 79.75), rng.uniform(0.25, width - 0.25))
        cx, cy = int(p[0] / gap), int(p[1] / gap)
        near = [q for i in (-1, 0, 1) for j in (-1, 0, 1) for q in cells.get((cx + i, cy + j), [])]
        if all((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 > gap ** 2 for q in near):
            points.append(p)
            cells.setdefault((cx, cy), []).append(p)
    for p in points:
        sim.add_agent(agent(model, p, journey, exit_id, radius))
    start = {}
    while sim.elapsed_time() < 25:
        sim.iterate()
        if sim.iteration_count() == int(round(10 / dt)):
            start = {a.id: a.position[0] for a in sim.agents() if 30 <= a.position[0] <= 50 and margin <= a.position[1] <= width - margin}
    end = {a.id: a.position[0] for a in sim.agents()}
    speeds = [(end[i] - x) / 15 for i, x in start.items() if i in end]
    print(f"{model} width {width} radius {radius} rho {rho} seed {seed}: {len(speeds)} agents, mean speed {sum(speeds) / max(1, len(speeds)):.3f} m/s")


if __name__ == "__main__":
    main()
