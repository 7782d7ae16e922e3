#!/usr/bin/env python3
"""JuPedSim's models on the RiMEA 4 corridor, for comparison with our fundamental-diagram test.

JuPedSim has no periodic boundary, so the 2 m wide corridor is 200 m long and filled at
density RHO over x in [0, 80] m (random non-overlapping discs, r = 0.2 m, v0 = 1.34 m/s).
The agents between x = 30 and 50 m at t = 10 s are followed to t = 25 s, well behind the
dissolving front; their mean forward speed is printed.

Usage: Tools/peers/pedestrians_fd.py MODEL RHO SEED   (MODEL: cfsm, avm, sfm, gcfm)
Needs jupedsim and shapely (Tools/bench-setup.sh).
"""
import random
import sys

import jupedsim as jps
import shapely

RADIUS, SPEED = 0.2, 1.34


def agent(model, position, journey, stage):
    kinds = {
        "cfsm": jps.CollisionFreeSpeedModelAgentParameters,
        "avm": jps.AnticipationVelocityModelAgentParameters,
        "sfm": jps.SocialForceModelAgentParameters,
    }
    if model == "gcfm":
        # Elliptical bodies from the model's own (JuPedSim default) axes; no radius.
        return jps.GeneralizedCentrifugalForceModelAgentParameters(
            position=position, journey_id=journey, stage_id=stage, desired_speed=SPEED)
    return kinds[model](position=position, journey_id=journey, stage_id=stage, radius=RADIUS, desired_speed=SPEED)


def main():
    model, rho, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    models = {"cfsm": jps.CollisionFreeSpeedModel, "avm": jps.AnticipationVelocityModel, "sfm": jps.SocialForceModel,
              "gcfm": jps.GeneralizedCentrifugalForceModel}
    dt = 0.05 if model in ("cfsm", "avm") else 0.01
    sim = jps.Simulation(model=models[model](), geometry=shapely.box(0, 0, 200, 2), dt=dt)
    exit_id = sim.add_exit_stage(shapely.box(199, 0, 200, 2))
    journey = sim.add_journey(jps.JourneyDescription([exit_id]))
    n = int(rho * 80 * 2)
    points = []
    while len(points) < n:
        p = (rng.uniform(0.25, 79.75), rng.uniform(0.25, 1.75))
        if all((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 > (2 * RADIUS + 0.02) ** 2 for q in points[-400:]):
            points.append(p)
    for p in points:
        sim.add_agent(agent(model, p, journey, exit_id))
    start = {}
    while sim.elapsed_time() < 25:
        sim.iterate()
        if sim.iteration_count() == int(round(10 / dt)):
            start = {a.id: a.position[0] for a in sim.agents() if 30 <= a.position[0] <= 50}
    end = {a.id: a.position[0] for a in sim.agents()}
    speeds = [(end[i] - x) / 15 for i, x in start.items() if i in end]
    print(f"{model} rho {rho} seed {seed}: {len(speeds)} agents, mean speed {sum(speeds) / max(1, len(speeds)):.3f} m/s")


if __name__ == "__main__":
    main()
