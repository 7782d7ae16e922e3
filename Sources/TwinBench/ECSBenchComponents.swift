import TwinRuntime

// Components of the ecs_bench_suite workloads (same sizes as the original suite:
// a 4×4 Transform, three 3-float vectors).
struct BenchTransform: Component { var matrix: SIMD16<Float> = .zero }
struct BenchPosition: Component { var x: Float = 0, y: Float = 0, z: Float = 0 }
struct BenchRotation: Component { var x: Float = 0, y: Float = 0, z: Float = 0 }
struct BenchVelocity: Component { var x: Float = 1, y: Float = 1, z: Float = 1 }

/// `fragmented_iter`: one tag type per letter, plus the iterated `Data`.
struct FragmentTag<let letter: Int>: Component {}
struct FragmentData: Component { var value: Float = 1 }

// `schedule`: five one-float components.
struct SA: Component { var v: Float = 1 }
struct SB: Component { var v: Float = 2 }
struct SC: Component { var v: Float = 3 }
struct SD: Component { var v: Float = 4 }
struct SE: Component { var v: Float = 5 }
