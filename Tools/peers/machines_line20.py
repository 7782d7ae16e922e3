#!/usr/bin/env python3
"""A 20-station serial line in SimPy, the workload of `twin bench machines` (line20_events_per_s).

  source (infinite, S1 never starved) -> S1 -> buffer(5) -> S2 -> buffer(5) -> ... -> S20 -> sink
  every station: processing Exp(mean 1.0 s), one server, blocking after service (a finished part stays on the
  station until the next buffer has room; the next part starts when it left). Written in the style of
  ../shared/peers/machines/tandem.py (Store with capacity = buffer, one process per station).
Measures job completions (all stations) per CPU second over [0, T_END].
usage: machines_line20.py [T_END] [seed]   (prints one JSON line)"""
import sys, json, random, time
import simpy


def run(T_END=20000.0, seed=1, stations=20, buf_cap=5, mean=1.0):
    env = simpy.Environment()
    rng = random.Random(seed)
    buffers = [simpy.Store(env, capacity=buf_cap) for _ in range(stations - 1)]
    done = [0] * stations

    def station(k):
        while True:
            if k > 0:
                yield buffers[k - 1].get()
            yield env.timeout(rng.expovariate(1.0 / mean))
            if k < stations - 1:
                yield buffers[k].put(1)
            done[k] += 1

    for k in range(stations):
        env.process(station(k))
    c0 = time.process_time()
    env.run(until=T_END)
    cpu = time.process_time() - c0
    jobs = sum(done)
    return dict(T_END=T_END, seed=seed, jobs=jobs, sink=done[-1], cpu_s=cpu, jobs_per_cpu_s=jobs / cpu)


if __name__ == '__main__':
    T = float(sys.argv[1]) if len(sys.argv) > 1 else 20000.0
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    print(json.dumps(run(T, seed)), flush=True)
